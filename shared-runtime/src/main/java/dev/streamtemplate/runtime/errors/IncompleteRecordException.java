package dev.streamtemplate.runtime.errors;

/**
 * An input record without the key or the value its topic requires (a null key on a topic keyed by
 * user id, a tombstone on an event topic). Thrown inside the topology so that Kafka Streams'
 * processing exception handler sends the record to the service's dead-letter topic (KIP-1033,
 * KIP-1034) with this message in the {@code __streams.errors.message} header, and processing goes on.
 */
public class IncompleteRecordException extends RuntimeException {

    /**
     * @param message which part is missing, on which topic
     */
    public IncompleteRecordException(String message) {
        super(message);
    }
}
