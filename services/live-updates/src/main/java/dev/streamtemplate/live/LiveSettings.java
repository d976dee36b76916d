package dev.streamtemplate.live;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * live-updates' settings ({@code live.*} in {@code application.properties}, each overridable by an environment
 * variable such as {@code LIVE_CLIENT_BUFFER}).
 */
@ConfigMapping(prefix = "live")
public interface LiveSettings {

    /**
     * @return how many events one Server-Sent Events client may have written but not yet taken by its connection;
     *         at that the stream pauses, and a client that stays there longer than {@link #clientStall()} gets a
     *         {@code resync} event and moves to the newest records
     */
    @WithDefault("1000")
    int clientBuffer();

    /**
     * @return how many characters of event data (about bytes: the data is JSON, mostly ASCII) one client may have
     *         written but not yet taken; beyond it, as beyond {@link #clientBuffer()}, {@code resync}
     */
    @WithDefault("16777216")
    long clientBufferBytes();

    /**
     * @return how long a client's buffer may stay full before the client has overflowed and gets {@code resync}; a
     *         shorter burst only pauses its stream
     */
    @WithDefault("5s")
    Duration clientStall();

    /** @return how long a stream stays silent before a comment line keeps proxies from closing it */
    @WithDefault("15s")
    Duration heartbeat();

    /**
     * @return how many Server-Sent Events clients one instance serves at once (each has its own Kafka consumer);
     *         one more gets 503
     */
    @WithDefault("100")
    int maxClients();
}
