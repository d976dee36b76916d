package dev.streamtemplate.cart;

/**
 * A cart command whose record key is not its {@code userId}. The key decides the partition, and so
 * the task and the cart store that hold the user's cart; a command under another key would be applied
 * to the wrong cart. It goes to the dead-letter topic like any record that fails in a processor.
 */
public class MisroutedCommandException extends RuntimeException {

    /** @param message the key and the user id */
    public MisroutedCommandException(String message) {
        super(message);
    }
}
