package dev.streamtemplate.http;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The JSON body of every HTTP error answer: {@code {"status":400,"error":"Bad Request","message":"..."}}.
 *
 * @param status  the HTTP status code
 * @param error   the status reason phrase
 * @param message what was wrong, in words the caller can act on
 */
@Schema(name = "ApiError", description = "The body of every error answer", requiredProperties = {"status", "error", "message"},
        examples = "{\"status\":400,\"error\":\"Bad Request\",\"message\":\"'page' is required\"}")
public record ApiError(
        @Schema(description = "the HTTP status code", examples = "400") int status,
        @Schema(description = "the status reason phrase", examples = "Bad Request") String error,
        @Schema(description = "what was wrong, in words the caller can act on") String message) {
}
