package dev.streamtemplate.testing;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/** Lets a client use a caller's serializer without closing it when the client closes. */
record NonClosingSerializer<T>(Serializer<T> delegate) implements Serializer<T> {

    @Override
    public byte[] serialize(String topic, T data) {
        return delegate.serialize(topic, data);
    }

    @Override
    public byte[] serialize(String topic, Headers headers, T data) {
        return delegate.serialize(topic, headers, data);
    }

    @Override
    public void close() {
        // the caller owns the delegate
    }
}
