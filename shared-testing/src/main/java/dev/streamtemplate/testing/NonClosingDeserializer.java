package dev.streamtemplate.testing;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/** Lets a client use a caller's deserializer without closing it when the client closes. */
record NonClosingDeserializer<T>(Deserializer<T> delegate) implements Deserializer<T> {

    @Override
    public T deserialize(String topic, byte[] data) {
        return delegate.deserialize(topic, data);
    }

    @Override
    public T deserialize(String topic, Headers headers, byte[] data) {
        return delegate.deserialize(topic, headers, data);
    }

    @Override
    public T deserialize(String topic, Headers headers, java.nio.ByteBuffer data) {
        return delegate.deserialize(topic, headers, data);
    }

    @Override
    public void close() {
        // the caller owns the delegate
    }
}
