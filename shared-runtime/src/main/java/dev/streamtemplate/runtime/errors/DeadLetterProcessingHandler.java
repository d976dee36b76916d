package dev.streamtemplate.runtime.errors;

import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Kafka Streams' {@link LogAndContinueProcessingExceptionHandler} (configured as
 * {@code processing.exception.handler}): a record whose processing throws is logged, sent to the
 * dead-letter topic {@code errors.dead.letter.queue.topic.name} with the exception in its headers
 * (KIP-1034), and processing goes on; each dead letter is also counted in {@link DeadLetterMetrics} with
 * stage {@code processing}.
 */
public class DeadLetterProcessingHandler extends LogAndContinueProcessingExceptionHandler {

    /**
     * Kafka Streams' answer (log, dead letter when a dead-letter topic is configured, resume), counted when it
     * carries a dead letter.
     */
    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        Response response = super.handleError(context, record, exception);
        if (!response.deadLetterQueueRecords().isEmpty()) {
            DeadLetterMetrics.count(context.topic(), exception, "processing");
        }
        return response;
    }
}
