package dev.streamtemplate.runtime.query;

import java.util.List;

/**
 * The HTTP headers of query routing ({@link KeyRouter}, {@link FanOutQuery}): those an instance sends another, and those every answer
 * carries to say who served it.
 */
public final class QueryHeaders {

    /** Request header: the instance (host:port) that forwarded this request; its presence stops any further hop. */
    public static final String FORWARDED_BY = "X-Query-Forwarded-By";
    /** Response header: the instance (host:port) whose store answered. */
    public static final String SERVED_BY = "X-Query-Served-By";
    /** Response header: {@code active} or {@code standby}; as a request header, {@code standby} asks for a standby's answer. */
    public static final String REPLICA = "X-Query-Replica";
    /** Response header: how many changelog records the serving store is behind (0 for the active task). */
    public static final String OFFSET_LAG = "X-Query-Offset-Lag";
    /** Request header: {@code local} asks for this instance's part of a query that spans keys. */
    public static final String SCOPE = "X-Query-Scope";
    /** Response header: {@code true} when an answer that spans keys lacks some partitions. */
    public static final String PARTIAL = "X-Query-Partial";

    /**
     * The request headers that change what an instance answers; a request carrying any of them must be signed by
     * another instance ({@link ForwardedQuerySignature}).
     */
    public static final List<String> REQUEST = List.of(FORWARDED_BY, SCOPE, REPLICA);

    /** The headers of another instance's answer that a forwarded answer passes on to the client. */
    static final List<String> PASSED_ON = List.of(SERVED_BY, REPLICA, OFFSET_LAG, PARTIAL, "Retry-After");

    private QueryHeaders() {
    }
}
