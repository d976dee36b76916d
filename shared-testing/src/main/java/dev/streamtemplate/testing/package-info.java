/**
 * Real Kafka for tests: no mock brokers.
 *
 * <ul>
 *   <li>{@link dev.streamtemplate.testing.TestKafkaClusterChoice} chooses and starts a broker: an in-JVM single-node
 *       KRaft broker ({@link dev.streamtemplate.testing.EmbeddedKafkaCluster}) or Testcontainers' Kafka
 *       ({@link dev.streamtemplate.testing.ContainerKafkaCluster}) where a Docker engine runs; system property
 *       {@code test.kafka=embedded|container|auto}. {@link dev.streamtemplate.testing.TestKafkaClusterChoice#shared()} is
 *       the one broker of a test JVM.</li>
 *   <li>{@link dev.streamtemplate.testing.KafkaTestResource}: the Quarkus test resource that provides it to a
 *       {@code @QuarkusTest}, with the topics of the topic catalogue created.</li>
 *   <li>{@link dev.streamtemplate.testing.KafkaTopics}: create (idempotently), wait for and delete topics.</li>
 *   <li>{@link dev.streamtemplate.testing.TopicReader}: read a topic from its beginning to its last stable offset
 *       with {@code isolation.level=read_committed}; {@link dev.streamtemplate.testing.TestProducer}: write records
 *       synchronously, optionally in transactions.</li>
 * </ul>
 */
package dev.streamtemplate.testing;
