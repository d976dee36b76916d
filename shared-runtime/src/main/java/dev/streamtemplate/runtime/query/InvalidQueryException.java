package dev.streamtemplate.runtime.query;

import dev.streamtemplate.http.ApiError;

/** A query parameter the client got wrong; answered with 400 and an {@link ApiError}. */
public class InvalidQueryException extends RuntimeException {

    /** @param message which parameter is wrong and what a valid one looks like */
    public InvalidQueryException(String message) {
        super(message);
    }
}
