package dev.streamtemplate.enrichment;

import dev.streamtemplate.schemas.UserChange;
import dev.streamtemplate.schemas.UserProfile;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies CDC envelopes of the users table by version, keyed by user id: an envelope whose
 * {@code version} is above the stored one is applied and forwarded as the user's new row (the
 * {@code after} image, or {@code null} for a {@code DELETE}, which the downstream table reads as a
 * delete); any other envelope is a duplicate or arrived out of order and is dropped without output.
 * The store ({@link CustomerEnrichmentTopology#USER_VERSIONS_STORE}) keeps the version of deletes
 * too, so a stale {@code CREATE} or {@code UPDATE} never resurrects a deleted user, and a newer
 * version is never rolled back.
 *
 * <p>Tombstones (the null value that follows a delete, for compaction) never reach this processor;
 * the topology drops them before.
 */
final class UserChangeApplier implements FixedKeyProcessor<String, UserChange, UserProfile> {

    private FixedKeyProcessorContext<String, UserProfile> context;
    private KeyValueStore<String, UserVersion> versions;

    @Override
    public void init(FixedKeyProcessorContext<String, UserProfile> context) {
        this.context = context;
        this.versions = context.getStateStore(CustomerEnrichmentTopology.USER_VERSIONS_STORE);
    }

    @Override
    public void process(FixedKeyRecord<String, UserChange> record) {
        UserChange change = record.value();
        UserVersion current = versions.get(record.key());
        if (current != null && !current.isOlderThan(change)) {
            return;
        }
        UserVersion next = UserVersion.of(change);
        versions.put(record.key(), next);
        context.forward(record.withValue(next.profile()));
    }
}
