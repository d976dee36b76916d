package dev.streamtemplate.runtime.query;

/**
 * The JSON body of every HTTP error answer: {@code {"status":400,"error":"Bad Request","message":"..."}}.
 *
 * @param status  the HTTP status code
 * @param error   the status reason phrase
 * @param message what was wrong, in words the caller can act on
 */
public record ApiError(int status, String error, String message) {
}
