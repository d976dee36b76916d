package dev.streamtemplate.schemas;

/** A topic of the catalogue could not be created, or its partitions were not hosted in time ({@link TopicCreator}). */
public class TopicCreationException extends Exception {

    /**
     * @param message what failed, naming the topic and the broker's answer
     * @param cause   the admin client's exception
     */
    public TopicCreationException(String message, Throwable cause) {
        super(message, cause);
    }
}
