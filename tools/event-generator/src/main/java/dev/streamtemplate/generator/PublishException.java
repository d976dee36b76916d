package dev.streamtemplate.generator;

/** Kafka did not take the generated events: unreachable broker, missing topic, a failed send. */
public class PublishException extends RuntimeException {

    /**
     * @param message what failed, in words a person can act on
     * @param cause   the Kafka client's exception
     */
    public PublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
