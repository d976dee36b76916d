package dev.streamtemplate.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.streamtemplate.deployment.RenderedChart.RenderedObject;
import dev.streamtemplate.deployment.StreamServiceChart.Release;
import dev.streamtemplate.schemas.TopicCatalogue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Helm chart {@code helm/stream-service}: it lints, and what it renders keeps the deployment's rules.
 *
 * <p>Lint: {@code helm lint --strict} passes with the defaults (Helm 3, helm-java) and with each shipped values file
 * (Helm 4 from {@link NodePackages}), and Helm 4 renders the same objects as Helm 3. The values set
 * {@code helm/values} has one file per service, agreeing with the service's {@code application.properties} (name,
 * port) and with {@link TopicCatalogue} (input topics, partition counts).
 *
 * <p>Policies, on the defaults, each service and every optional feature switched on: every container has resource
 * requests and a memory limit and a restricted security context; the service container probes
 * {@code /q/health/started|live|ready}; the Services, the PodDisruptionBudget and the NetworkPolicy select the
 * StatefulSet's pods and not the helm test pod; the headless Service is the StatefulSet's serviceName;
 * {@code application.server} expands to the pod's stable DNS name; {@code group.instance.id} is the pod name, with
 * a session timeout above the grace period; the grace period exceeds the shutdown timeout; the memory limit holds
 * heap + RocksDB cache + native memory; the state directory is the PVC; the NetworkPolicy lets in only the app,
 * monitoring and clients and out only to the app, Kafka and DNS; the helm test pod checks every pod's readiness.
 * Optional objects: off by default; when on they select and target the right objects, and the alert rules pass
 * {@code promtool check rules} (Prometheus' Debian package).
 */
class HelmChartTest {

    /** helm/values/traffic-analytics.yaml with every optional feature switched on. */
    static final Release ALL_FEATURES = StreamServiceChart.service("traffic-analytics")
            .withFile(StreamServiceChart.testValuesFile("all-features.yaml"));

    /** memory.heapPercent of the values files: the chart passes -Xmx of this share of the limit. */
    private static final int HEAP_PERCENT = 50;
    /** The JVM's native memory outside the heap that the limit must leave room for, MiB. */
    private static final int NATIVE_MEMORY_MIB = 200;
    private static final Set<String> RESTRICTED_VOLUME_TYPES = Set.of("configMap", "csi", "downwardAPI", "emptyDir",
            "ephemeral", "persistentVolumeClaim", "projected", "secret");
    private static final Map<Release, RenderedChart> RENDERED = new ConcurrentHashMap<>();

    /** The renderings every policy is checked on: defaults, the four services, every optional feature. */
    static List<Release> releases() {
        List<Release> releases = new ArrayList<>();
        releases.add(StreamServiceChart.GENERIC);
        StreamServiceChart.SERVICES.forEach(service -> releases.add(StreamServiceChart.service(service)));
        releases.add(ALL_FEATURES);
        return releases;
    }

    static List<String> services() {
        return StreamServiceChart.SERVICES;
    }

    /** The shipped values files and all-features, as Helm 4 lints them. */
    static List<Release> valuesFiles() {
        List<Release> releases = new ArrayList<>(releases());
        releases.remove(StreamServiceChart.GENERIC);
        return releases;
    }

    // --- lint and values ---

    @Test
    void lintsStrictWithTheDefaultValues() {
        LintResult lint = new Helm(StreamServiceChart.directory()).lint().strict().call();

        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesFiles")
    void lintsStrictWithEachValuesFile(Release release) throws Exception {
        List<String> command = new ArrayList<>(List.of(NodePackages.installed().helm().toString(), "lint", "--strict",
                StreamServiceChart.directory().toString()));
        release.files().forEach(file -> command.addAll(List.of("-f", file.toString())));

        CommandRun lint = NodePackages.run(StreamServiceChart.repositoryRoot(), Duration.ofMinutes(1), command);

        assertThat(lint.succeeded()).as("%s", lint).isTrue();
        assertThat(lint.output()).contains("1 chart(s) linted, 0 chart(s) failed")
                .doesNotContain("[WARNING]").doesNotContain("[ERROR]");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void helm3RendersTheSameObjectsAsHelm4(Release release) {
        assertThat(bodies(StreamServiceChart.renderWithHelm3(release)))
                .isEqualTo(bodies(rendered(release).reproducible()));
    }

    @Test
    void chartAppVersionIsTheProjectVersion() throws IOException {
        JsonNode chart = RenderedChart.YAML.readTree(StreamServiceChart.directory().resolve("Chart.yaml").toFile());

        assertThat(chart.path("apiVersion").asText()).isEqualTo("v2");
        assertThat(System.getProperty("project.version")).as("system property project.version (the module's pom)")
                .isNotBlank();
        assertThat(chart.path("appVersion").asText()).as("the images' tag, the Maven project version")
                .isEqualTo(System.getProperty("project.version"));
    }

    @Test
    void theValuesSetHoldsOneFilePerService() throws IOException {
        try (Stream<Path> files = Files.list(StreamServiceChart.repositoryRoot().resolve("helm/values"))) {
            assertThat(files.map(f -> f.getFileName().toString()).sorted())
                    .containsExactlyElementsOf(services().stream().map(s -> s + ".yaml").sorted().toList());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("services")
    void valuesFileAgreesWithTheServicesConfigurationAndTopics(String service) throws IOException {
        JsonNode application = RenderedChart.YAML.readTree(StreamServiceChart.valuesFile(service).toFile())
                .path("application");
        Properties properties = StreamServiceChart.applicationProperties(service);

        assertThat(application.path("name").asText()).isEqualTo(service)
                .isEqualTo(properties.getProperty("quarkus.application.name"));
        assertThat(application.path("httpPort").asInt())
                .isEqualTo(Integer.parseInt(properties.getProperty("quarkus.http.port")));
        List<String> topics = new ArrayList<>();
        for (JsonNode topic : application.path("inputTopics")) {
            topics.add(topic.path("name").asText());
            assertThat(topic.path("partitions").asInt()).as("partitions of %s", topic.path("name").asText())
                    .isEqualTo(TopicCatalogue.input(topic.path("name").asText()).orElseThrow().partitions());
        }
        assertThat(topics).containsExactlyElementsOf(TopicCatalogue.service(service).orElseThrow().inputs().stream()
                .map(TopicCatalogue.TopicSpec::name).toList());
    }

    // --- policies on every rendering ---

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void everyContainerHasResourcesAndARestrictedSecurityContext(Release release) {
        for (Map.Entry<String, JsonNode> pod : podSpecs(rendered(release)).entrySet()) {
            JsonNode spec = pod.getValue();
            JsonNode podContext = spec.path("securityContext");
            assertThat(spec.path("automountServiceAccountToken").asBoolean(true)).as("%s token", pod.getKey())
                    .isFalse();
            assertThat(spec.path("hostNetwork").asBoolean() || spec.path("hostPID").asBoolean()
                    || spec.path("hostIPC").asBoolean()).as("%s host namespaces", pod.getKey()).isFalse();
            for (JsonNode volume : spec.path("volumes")) {
                assertThat(fieldNames(volume)).as("%s volume types", pod.getKey()).contains("name")
                        .allMatch(field -> field.equals("name") || RESTRICTED_VOLUME_TYPES.contains(field));
            }
            List<JsonNode> containers = new ArrayList<>();
            spec.path("initContainers").forEach(containers::add);
            spec.path("containers").forEach(containers::add);
            assertThat(containers).as("%s containers", pod.getKey()).isNotEmpty();
            for (JsonNode container : containers) {
                String where = pod.getKey() + " container " + container.path("name").asText();
                JsonNode resources = container.path("resources");
                assertThat(resources.at("/requests/cpu").isMissingNode()).as("%s cpu request", where).isFalse();
                assertThat(resources.at("/requests/memory").isMissingNode()).as("%s memory request", where).isFalse();
                assertThat(resources.at("/limits/memory").isMissingNode()).as("%s memory limit", where).isFalse();
                JsonNode context = container.path("securityContext");
                assertThat(context.path("allowPrivilegeEscalation").asBoolean(true)).as(where).isFalse();
                assertThat(context.path("privileged").asBoolean(false)).as(where).isFalse();
                assertThat(context.path("readOnlyRootFilesystem").asBoolean(false)).as(where).isTrue();
                assertThat(context.path("runAsNonRoot").asBoolean(false)
                        || podContext.path("runAsNonRoot").asBoolean(false)).as("%s runAsNonRoot", where).isTrue();
                assertThat(context.path("runAsUser").asInt(podContext.path("runAsUser").asInt(1))).as(where)
                        .isNotZero();
                assertThat(context.at("/capabilities/drop").toString()).as("%s drops", where).isEqualTo("[\"ALL\"]");
                assertThat(context.at("/capabilities/add").isMissingNode()).as("%s adds", where).isTrue();
                String seccomp = context.at("/seccompProfile/type").asText(podContext.at("/seccompProfile/type")
                        .asText());
                assertThat(seccomp).as("%s seccomp", where).isIn("RuntimeDefault", "Localhost");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void theServiceContainerProbesTheHealthEndpoints(Release release) {
        JsonNode container = serviceContainer(rendered(release));
        int port = Integer.parseInt(env(container).get("QUARKUS_HTTP_PORT").path("value").asText());

        assertThat(container.at("/ports/0/name").asText()).isEqualTo("http");
        assertThat(container.at("/ports/0/containerPort").asInt()).as("the port the service listens on")
                .isEqualTo(port);
        assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/q/health/started");
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(container.path(probe).at("/httpGet/port").asText()).as(probe).isEqualTo("http");
        }
        JsonNode startup = container.path("startupProbe");
        assertThat(startup.path("periodSeconds").asInt() * startup.path("failureThreshold").asInt())
                .as("seconds a start (store restoration) may take before liveness applies").isGreaterThanOrEqualTo(300);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void servicesBudgetAndPolicySelectTheStatefulSetsPodsAndNotTheTestPod(Release release) {
        RenderedChart chart = rendered(release);
        JsonNode statefulSet = chart.one("StatefulSet").body();
        Map<String, String> podLabels = strings(statefulSet.at("/spec/template/metadata/labels"));
        Map<String, String> testPodLabels = strings(chart.one("Pod").at("/metadata/labels"));
        Map<String, JsonNode> selectors = new LinkedHashMap<>();
        selectors.put("StatefulSet selector", statefulSet.at("/spec/selector/matchLabels"));
        chart.all("Service").forEach(s -> selectors.put(s + " selector", s.at("/spec/selector")));
        selectors.put("PodDisruptionBudget selector", chart.one("PodDisruptionBudget").at("/spec/selector/matchLabels"));
        selectors.put("NetworkPolicy podSelector", chart.one("NetworkPolicy").at("/spec/podSelector/matchLabels"));

        assertThat(chart.all("Service")).hasSize(2);
        assertThat(chart.one("PodDisruptionBudget").at("/spec/maxUnavailable").asInt()).isEqualTo(1);
        selectors.forEach((what, selector) -> {
            assertThat(strings(selector)).as(what).isNotEmpty();
            assertThat(podLabels).as("%s selects the StatefulSet's pods", what).containsAllEntriesOf(strings(selector));
            assertThat(matches(strings(selector), testPodLabels)).as("%s selects the helm test pod", what).isFalse();
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void theHeadlessServiceIsTheStatefulSetsServiceName(Release release) {
        RenderedChart chart = rendered(release);
        String serviceName = chart.one("StatefulSet").at("/spec/serviceName").asText();
        RenderedObject headless = chart.find("Service", serviceName)
                .orElseThrow(() -> new AssertionError("no Service " + serviceName + " in " + chart.kinds()));
        RenderedObject query = chart.all("Service").stream().filter(s -> !s.name().equals(serviceName)).findFirst()
                .orElseThrow();

        assertThat(headless.at("/spec/clusterIP").asText()).isEqualTo("None");
        assertThat(headless.at("/spec/publishNotReadyAddresses").asBoolean())
                .as("pods resolve while they start and restore").isTrue();
        assertThat(headless.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
        assertThat(query.at("/spec/clusterIP").isMissingNode()).as("the query Service has a cluster IP").isTrue();
        assertThat(query.at("/spec/type").asText()).isEqualTo("ClusterIP");
        assertThat(query.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void applicationServerIsThePodsStableDnsName(Release release) {
        RenderedChart chart = rendered(release);
        JsonNode statefulSet = chart.one("StatefulSet").body();
        String pod = statefulSet.at("/metadata/name").asText() + "-0";
        JsonNode container = serviceContainer(chart);

        Map<String, String> expanded = expandedEnvironment(container, pod, StreamServiceChart.NAMESPACE);

        String dnsName = pod + "." + statefulSet.at("/spec/serviceName").asText() + "." + StreamServiceChart.NAMESPACE
                + ".svc.cluster.local";
        assertThat(expanded.get("QUARKUS_KAFKA_STREAMS_APPLICATION_SERVER"))
                .isEqualTo(dnsName + ":" + container.at("/ports/0/containerPort").asInt());
        assertThat(dnsName.split("\\.")).allSatisfy(label -> assertThat(label.length()).isBetween(1, 63));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void groupInstanceIdIsThePodNameWithASessionTimeoutAboveTheGracePeriod(Release release) {
        RenderedChart chart = rendered(release);
        JsonNode statefulSet = chart.one("StatefulSet").body();
        String pod = statefulSet.at("/metadata/name").asText() + "-2";

        Map<String, String> expanded = expandedEnvironment(serviceContainer(chart), pod, StreamServiceChart.NAMESPACE);

        assertThat(expanded.get("KAFKA_STREAMS_GROUP_INSTANCE_ID")).isEqualTo(pod);
        assertThat(Long.parseLong(expanded.get("KAFKA_STREAMS_SESSION_TIMEOUT_MS")))
                .as("a restarted static member is back before its session expires")
                .isGreaterThan(1000L * statefulSet.at("/spec/template/spec/terminationGracePeriodSeconds").asLong());
        assertThat(statefulSet.at("/spec/podManagementPolicy").asText()).isEqualTo("Parallel");
        assertThat(expanded.get("KAFKA_STREAMS_NUM_STANDBY_REPLICAS")).isEqualTo("1");
    }

    @Test
    void staticMembershipCanBeSwitchedOff() {
        RenderedChart chart = rendered(StreamServiceChart.service("shopping-cart")
                .with("kafkaStreams.staticMembership.enabled", false).with("kafkaStreams.numStandbyReplicas", 2));

        Map<String, JsonNode> env = env(serviceContainer(chart));

        assertThat(env).doesNotContainKeys("KAFKA_STREAMS_GROUP_INSTANCE_ID", "KAFKA_STREAMS_SESSION_TIMEOUT_MS");
        assertThat(env.get("KAFKA_STREAMS_NUM_STANDBY_REPLICAS").path("value").asText()).isEqualTo("2");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void gracePeriodExceedsTheShutdownTimeout(Release release) {
        RenderedChart chart = rendered(release);
        String timeout = env(serviceContainer(chart)).get("SHUTDOWN_TIMEOUT").path("value").asText();

        assertThat(timeout).matches("[0-9]+s");
        assertThat(chart.one("StatefulSet").at("/spec/template/spec/terminationGracePeriodSeconds").asInt())
                .isGreaterThan(Integer.parseInt(timeout.replace("s", "")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void memoryLimitHoldsHeapRocksDbCacheAndNativeMemory(Release release) {
        JsonNode container = serviceContainer(rendered(release));
        Map<String, JsonNode> env = env(container);
        long limit = mebibytes(container.at("/resources/limits/memory").asText());
        long cache = Long.parseLong(env.get("KAFKA_STREAMS_ROCKSDB_BOUNDED_CACHE_BYTES").path("value").asText());
        long writeBuffer = Long.parseLong(env.get("KAFKA_STREAMS_ROCKSDB_BOUNDED_WRITE_BUFFER_BYTES").path("value")
                .asText());
        long heapMiB = limit * HEAP_PERCENT / 100;

        assertThat(mebibytes(container.at("/resources/requests/memory").asText())).as("request = limit")
                .isEqualTo(limit);
        String jvmOptions = env.get("JAVA_TOOL_OPTIONS").path("value").asText();
        assertThat(jvmOptions).as("the heap the chart gives the JVM").startsWith("-Xmx" + heapMiB + "m");
        assertThat(heapMiB + cache / (1 << 20) + NATIVE_MEMORY_MIB)
                .as("heap + RocksDB cache + native memory, MiB").isLessThanOrEqualTo(limit);
        assertThat(writeBuffer).as("memtables inside the block cache").isPositive().isLessThan(cache);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void stateIsOnAPersistentVolumeAndTmpIsAWritableEmptyDir(Release release) {
        JsonNode statefulSet = rendered(release).one("StatefulSet").body();
        JsonNode container = serviceContainer(rendered(release));
        Map<String, String> mounts = new LinkedHashMap<>();
        container.path("volumeMounts").forEach(m -> mounts.put(m.path("name").asText(), m.path("mountPath").asText()));
        JsonNode claim = statefulSet.at("/spec/volumeClaimTemplates/0");

        assertThat(statefulSet.at("/spec/volumeClaimTemplates").size()).isEqualTo(1);
        assertThat(claim.at("/spec/accessModes").toString()).isEqualTo("[\"ReadWriteOnce\"]");
        assertThat(claim.at("/spec/resources/requests/storage").asText()).isNotEmpty();
        assertThat(mounts.get(claim.at("/metadata/name").asText())).as("the PVC's mount")
                .isEqualTo(env(container).get("KAFKA_STREAMS_STATE_DIR").path("value").asText())
                .isEqualTo("/var/lib/kafka-streams");
        assertThat(statefulSet.at("/spec/template/spec/securityContext/fsGroup").isInt())
                .as("fsGroup makes the volume writable by the service's user").isTrue();
        JsonNode tmp = StreamSupport.stream(statefulSet.at("/spec/template/spec/volumes").spliterator(), false)
                .filter(v -> v.path("name").asText().equals("tmp")).findFirst().orElseThrow();
        assertThat(mounts.get("tmp")).isEqualTo("/tmp");
        assertThat(tmp.has("emptyDir")).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void networkPolicyAdmitsTheAppMonitoringAndClientsAndReachesOnlyTheAppKafkaAndDns(Release release) {
        RenderedChart chart = rendered(release);
        JsonNode policy = chart.one("NetworkPolicy").body();
        JsonNode appSelector = chart.one("StatefulSet").at("/spec/selector/matchLabels");
        String port = serviceContainer(chart).at("/ports/0/containerPort").asText();
        Map<String, String> testPodLabels = strings(chart.one("Pod").at("/metadata/labels"));

        assertThat(policy.at("/spec/policyTypes").toString()).isEqualTo("[\"Ingress\",\"Egress\"]");
        List<JsonNode> ingressPeers = new ArrayList<>();
        for (JsonNode rule : policy.at("/spec/ingress")) {
            assertThat(rule.path("ports").toString()).as("ingress only to the HTTP port")
                    .isEqualTo("[{\"port\":" + port + ",\"protocol\":\"TCP\"}]");
            assertThat(rule.path("from").size()).as("ingress rule without peers admits everyone").isPositive();
            rule.path("from").forEach(ingressPeers::add);
        }
        assertThat(ingressPeers).as("the app's own pods (query forwarding)")
                .anySatisfy(peer -> assertThat(peer.at("/podSelector/matchLabels")).isEqualTo(appSelector));
        assertThat(ingressPeers).as("monitoring").anySatisfy(peer -> assertThat(
                peer.at("/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText()).isEqualTo("monitoring"));
        assertThat(ingressPeers).as("the helm test pod, a query client").anySatisfy(peer -> assertThat(
                matches(strings(peer.at("/podSelector/matchLabels")), testPodLabels)).isTrue());

        Set<String> egressPorts = new TreeSet<>();
        for (JsonNode rule : policy.at("/spec/egress")) {
            assertThat(rule.path("ports").size()).as("egress rule without ports allows everything").isPositive();
            rule.path("ports").forEach(p -> egressPorts.add(p.path("port").asText() + "/" + p.path("protocol").asText()));
            if (rule.at("/ports/0/port").asText().equals(port)) {
                assertThat(rule.path("to").size()).isEqualTo(1);
                assertThat(rule.at("/to/0/podSelector/matchLabels")).as("HTTP only to the app's pods")
                        .isEqualTo(appSelector);
            }
        }
        Set<String> expected = new TreeSet<>(Set.of(port + "/TCP", "53/UDP", "53/TCP"));
        expected.addAll(kafkaPorts(release));
        assertThat(egressPorts).as("the app, Kafka, DNS").isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void theHelmTestPodChecksEachPodsReadinessAtItsDnsName(Release release) {
        RenderedChart chart = rendered(release);
        JsonNode statefulSet = chart.one("StatefulSet").body();
        RenderedObject test = chart.one("Pod");
        JsonNode container = test.at("/spec/containers/0");
        int replicas = statefulSet.at("/spec/replicas").asInt(chart.all("ScaledObject").isEmpty() ? -1
                : chart.one("ScaledObject").at("/spec/minReplicaCount").asInt());
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            urls.add("http://" + statefulSet.at("/metadata/name").asText() + "-" + i + "."
                    + statefulSet.at("/spec/serviceName").asText() + "." + StreamServiceChart.NAMESPACE
                    + ".svc.cluster.local:" + serviceContainer(chart).at("/ports/0/containerPort").asInt()
                    + "/q/health/ready");
        }
        List<String> command = new ArrayList<>();
        container.path("command").forEach(c -> command.add(c.asText()));

        assertThat(test.isTestHook()).isTrue();
        assertThat(test.at("/spec/restartPolicy").asText()).isEqualTo("Never");
        assertThat(container.path("image").asText()).as("the service's image, for its curl")
                .isEqualTo(serviceContainer(chart).path("image").asText());
        assertThat(command).startsWith("curl", "--fail", "--fail-early").endsWith(urls.toArray(String[]::new));
        assertThat(urls).hasSizeGreaterThanOrEqualTo(1);
    }

    // --- optional objects ---

    @Test
    void optionalObjectsAreOffByDefault() {
        assertThat(rendered(StreamServiceChart.GENERIC).objects()).extracting(RenderedObject::kind)
                .containsExactlyInAnyOrder("ServiceAccount", "Service", "Service", "StatefulSet",
                        "PodDisruptionBudget", "NetworkPolicy", "Pod", "Secret");
    }

    @Test
    void serviceMonitorPrometheusRuleAndScaledObjectTargetTheService() {
        RenderedChart chart = rendered(ALL_FEATURES);
        JsonNode statefulSet = chart.one("StatefulSet").body();
        RenderedObject monitor = chart.one("ServiceMonitor");
        Map<String, String> selector = strings(monitor.at("/spec/selector/matchLabels"));
        List<RenderedObject> scraped = chart.all("Service").stream()
                .filter(s -> matches(selector, strings(s.at("/metadata/labels")))).toList();
        RenderedObject scaledObject = chart.one("ScaledObject");

        assertThat(scraped).as("the ServiceMonitor selects the query Service only").hasSize(1);
        assertThat(scraped.get(0).at("/spec/ports/0/name").asText())
                .isEqualTo(monitor.at("/spec/endpoints/0/port").asText());
        assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics");
        assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
        assertThat(monitor.at("/spec/endpoints/0/relabelings/0/replacement").asText()).isEqualTo("traffic-analytics");

        List<String> alerts = new ArrayList<>();
        List<String> selectors = new ArrayList<>();
        chart.one("PrometheusRule").at("/spec/groups").forEach(g -> g.path("rules").forEach(r -> {
            alerts.add(r.path("alert").asText());
            selectors.add(r.path("expr").asText());
        }));
        assertThat(alerts).as("the repository's alerts and the additional one")
                .contains("StreamServiceDown", "ConsumerLagGrowing", "WatermarkLagHigh", "TrafficAnalyticsIdle");
        assertThat(selectors).as("every selector narrowed to the service").noneMatch(e -> e.contains("application=~"))
                .anyMatch(e -> e.contains("application=\"traffic-analytics\""));

        assertThat(scaledObject.at("/spec/scaleTargetRef/kind").asText()).isEqualTo("StatefulSet");
        assertThat(scaledObject.at("/spec/scaleTargetRef/name").asText()).isEqualTo(statefulSet.at("/metadata/name")
                .asText());
        assertThat(scaledObject.at("/spec/maxReplicaCount").asInt()).as("at most the input partitions")
                .isLessThanOrEqualTo(TopicCatalogue.PAGE_VIEWS.partitions());
        assertThat(scaledObject.at("/spec/triggers/0/metadata/consumerGroup").asText())
                .as("the Kafka Streams application.id").isEqualTo("traffic-analytics");
        assertThat(statefulSet.at("/spec/replicas").isMissingNode()).as("KEDA owns the replica count").isTrue();
    }

    @Test
    void grafanaDashboardsShipInAConfigMapForTheSidecar() throws IOException {
        RenderedObject dashboards = rendered(ALL_FEATURES).all("ConfigMap").stream()
                .filter(c -> c.name().endsWith("-dashboards")).findFirst().orElseThrow();
        assertThat(dashboards.at("/metadata/labels/grafana_dashboard").asText()).as("the sidecar's label").isEqualTo("1");
        assertThat(dashboards.at("/metadata/annotations/grafana_folder").asText()).isEqualTo("Stream services");
        List<String> keys = new ArrayList<>();
        dashboards.at("/data").fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactlyInAnyOrder("traffic-analytics.json", "stream-services-overview.json");
        for (String key : keys) {
            assertThat(RenderedChart.YAML.readTree(dashboards.at("/data/" + key).asText()))
                    .as("%s as shipped equals the repository's", key)
                    .isEqualTo(RenderedChart.YAML.readTree(StreamServiceChart.directory()
                            .resolve("files/dashboards").resolve(key).toFile()));
        }
        assertThat(rendered(StreamServiceChart.service("traffic-analytics")).all("ConfigMap"))
                .as("no dashboards unless enabled").noneMatch(c -> c.name().endsWith("-dashboards"));
    }

    @Test
    void kafkaCredentialsComeFromSecrets() {
        RenderedChart chart = rendered(ALL_FEATURES);
        JsonNode statefulSet = chart.one("StatefulSet").body();
        Map<String, JsonNode> env = env(serviceContainer(chart));
        String truststore = env.get("QUARKUS_KAFKA_STREAMS_SSL_TRUSTSTORE_LOCATION").path("value").asText();
        JsonNode mount = StreamSupport.stream(serviceContainer(chart).path("volumeMounts").spliterator(), false)
                .filter(m -> truststore.startsWith(m.path("mountPath").asText() + "/")).findFirst().orElseThrow();
        JsonNode volume = StreamSupport.stream(statefulSet.at("/spec/template/spec/volumes").spliterator(), false)
                .filter(v -> v.path("name").asText().equals(mount.path("name").asText())).findFirst().orElseThrow();

        assertThat(env.get("QUARKUS_KAFKA_STREAMS_SECURITY_PROTOCOL").path("value").asText()).isEqualTo("SASL_SSL");
        assertThat(env.get("QUARKUS_KAFKA_STREAMS_SASL_MECHANISM").path("value").asText()).isEqualTo("SCRAM-SHA-512");
        assertThat(env.get("QUARKUS_KAFKA_STREAMS_SASL_JAAS_CONFIG").at("/valueFrom/secretKeyRef/key").asText())
                .isEqualTo("sasl.jaas.config");
        assertThat(env.get("QUARKUS_KAFKA_STREAMS_SSL_TRUSTSTORE_PASSWORD").at("/valueFrom/secretKeyRef/name").asText())
                .isEqualTo("my-cluster-cluster-ca-cert");
        assertThat(env.get("QUARKUS_KAFKA_STREAMS_SASL_JAAS_CONFIG").has("value")).isFalse();
        assertThat(env.get("QUARKUS_KAFKA_STREAMS_SSL_TRUSTSTORE_PASSWORD").has("value")).isFalse();
        assertThat(mount.path("readOnly").asBoolean()).isTrue();
        assertThat(volume.at("/secret/secretName").asText()).isEqualTo("my-cluster-cluster-ca-cert");
        assertThat(truststore).endsWith("/" + volume.at("/secret/items/0/path").asText());
    }

    @Test
    void theApiKeyComesFromASecretOnlyWhenOneIsNamed() {
        JsonNode key = env(serviceContainer(rendered(ALL_FEATURES))).get("QUERY_API_KEY");
        assertThat(key.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("traffic-analytics-api");
        assertThat(key.at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("api-key");
        assertThat(key.has("value")).isFalse();
        assertThat(env(serviceContainer(rendered(StreamServiceChart.service("traffic-analytics")))))
                .as("no key required by default").doesNotContainKey("QUERY_API_KEY");
    }

    @Test
    void theForwardingSecretIsTheChartsOwnRandomOneUnlessOneIsNamed() {
        RenderedChart byDefault = rendered(StreamServiceChart.service("traffic-analytics"));
        JsonNode secret = byDefault.one("Secret").body();
        assertThat(secret.at("/metadata/name").asText()).isEqualTo("traffic-analytics-query-forwarding");
        String value = new String(java.util.Base64.getDecoder().decode(secret.at("/data/forwarding-secret").asText()),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(value).as("48 random letters and digits").matches("[A-Za-z0-9]{48}");
        assertThat(secret.at("/metadata/annotations/helm.sh~1hook").asText()).as("created at install only")
                .isEqualTo("pre-install");
        JsonNode env = env(serviceContainer(byDefault)).get("QUERY_FORWARDING_SECRET");
        assertThat(env.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("traffic-analytics-query-forwarding");
        assertThat(env.at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("forwarding-secret");

        RenderedChart named = rendered(ALL_FEATURES);
        assertThat(named.all("Secret")).as("a named Secret is not created").isEmpty();
        JsonNode namedEnv = env(serviceContainer(named)).get("QUERY_FORWARDING_SECRET");
        assertThat(namedEnv.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("traffic-analytics-forwarding");
        assertThat(namedEnv.at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("secret");
        assertThat(namedEnv.has("value")).isFalse();
    }

    @Test
    void alertRulesPassPromtool() throws Exception {
        Path rules = Files.createDirectories(StreamServiceChart.repositoryRoot().resolve("deployment-tests/target"))
                .resolve("prometheus-rules.yaml");
        Files.writeString(rules, RenderedChart.YAML.writeValueAsString(rendered(ALL_FEATURES).one("PrometheusRule")
                .at("/spec")));

        CommandRun check;
        try {
            check = NodePackages.run(rules.getParent(), Duration.ofMinutes(1),
                    List.of("promtool", "check", "rules", rules.toString()));
        } catch (IOException e) {
            throw new AssertionError("promtool not found: sudo apt-get install -y prometheus", e);
        }

        assertThat(check.succeeded()).as("%s", check).isTrue();
        int shipped = 0;
        for (JsonNode group : RenderedChart.YAML.readTree(StreamServiceChart.directory()
                .resolve("files/stream-services.rules.yml").toFile()).path("groups")) {
            shipped += group.path("rules").size();
        }
        assertThat(check.output()).as("the repository's %d rules and the additional one", shipped)
                .contains("SUCCESS: " + (shipped + 1) + " rules found");
    }

    @Test
    void notesSayHowToWaitForAndReachTheService() {
        String notes = installOutput(StreamServiceChart.service("traffic-analytics"));
        String single = installOutput(StreamServiceChart.service("traffic-analytics").with("replicaCount", 1));

        assertThat(notes).contains("NOTES:")
                .contains("traffic-analytics runs as the StatefulSet traffic-analytics in namespace shop: 2 pod(s).")
                .contains("kubectl -n shop rollout status statefulset/traffic-analytics")
                .contains("helm -n shop test traffic-analytics")
                .contains("kubectl -n shop port-forward service/traffic-analytics 8081:8081")
                .contains("traffic-analytics-client=true")
                .doesNotContain("numStandbyReplicas");
        assertThat(single).as("a standby needs a second pod")
                .contains("kafkaStreams.numStandbyReplicas is 1 with 1 pod(s)");
    }

    /** What {@code helm install --dry-run} prints (Helm 3, client only): the release and its NOTES. */
    private static String installOutput(Release release) {
        var install = new Helm(StreamServiceChart.directory()).install().withName(release.name())
                .withNamespace(StreamServiceChart.NAMESPACE).clientOnly().dryRun();
        for (Path file : release.files()) {
            install = install.withValuesFile(file);
        }
        for (Map.Entry<String, Object> value : release.values().entrySet()) {
            install = install.set(value.getKey(), value.getValue());
        }
        return install.call().getOutput();
    }

    // --- reading rendered objects ---

    static RenderedChart rendered(Release release) {
        return RENDERED.computeIfAbsent(release, StreamServiceChart::render);
    }

    /** Every object's body by apiVersion/kind/name. */
    static Map<String, JsonNode> bodies(RenderedChart chart) {
        Map<String, JsonNode> bodies = new java.util.TreeMap<>();
        chart.objects().forEach(o -> bodies.put(o.id(), o.body()));
        return bodies;
    }

    /** The pod specs of a rendering by owner: the StatefulSet's template and each Pod. */
    private static Map<String, JsonNode> podSpecs(RenderedChart chart) {
        Map<String, JsonNode> specs = new LinkedHashMap<>();
        chart.all("StatefulSet").forEach(s -> specs.put(s.toString(), s.at("/spec/template/spec")));
        chart.all("Pod").forEach(p -> specs.put(p.toString(), p.at("/spec")));
        assertThat(specs).as("pods of %s", chart).isNotEmpty();
        return specs;
    }

    private static JsonNode serviceContainer(RenderedChart chart) {
        JsonNode containers = chart.one("StatefulSet").at("/spec/template/spec/containers");
        assertThat(containers.size()).as("containers of the StatefulSet").isEqualTo(1);
        return containers.get(0);
    }

    /** The container's environment entries by name, in order. */
    private static Map<String, JsonNode> env(JsonNode container) {
        Map<String, JsonNode> env = new LinkedHashMap<>();
        container.path("env").forEach(e -> {
            if (env.put(e.path("name").asText(), e) != null) {
                fail("environment variable " + e.path("name").asText() + " defined twice");
            }
        });
        return env;
    }

    /**
     * The container's environment as Kubernetes expands it in a pod named {@code pod}: {@code $(NAME)} refers to a
     * variable defined earlier in the list (a later or unknown one stays as written); metadata.name and
     * metadata.namespace come from the downward API.
     */
    private static Map<String, String> expandedEnvironment(JsonNode container, String pod, String namespace) {
        Map<String, String> values = new LinkedHashMap<>();
        Pattern reference = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
        for (JsonNode entry : container.path("env")) {
            String value;
            if (entry.has("value")) {
                Matcher matcher = reference.matcher(entry.path("value").asText());
                StringBuilder expanded = new StringBuilder();
                while (matcher.find()) {
                    String replacement = values.getOrDefault(matcher.group(1), matcher.group());
                    matcher.appendReplacement(expanded, Matcher.quoteReplacement(replacement));
                }
                matcher.appendTail(expanded);
                value = expanded.toString();
            } else {
                value = switch (entry.at("/valueFrom/fieldRef/fieldPath").asText()) {
                    case "metadata.name" -> pod;
                    case "metadata.namespace" -> namespace;
                    default -> "<from " + entry.path("valueFrom") + ">";
                };
            }
            values.put(entry.path("name").asText(), value);
        }
        return values;
    }

    private static Set<String> kafkaPorts(Release release) {
        Set<String> ports = new TreeSet<>();
        Set<Integer> configured = new TreeSet<>(List.of(9092, 9093));
        for (Path file : release.files()) {
            try {
                JsonNode kafka = RenderedChart.YAML.readTree(file.toFile()).at("/networkPolicy/egress/kafka/ports");
                if (kafka.isArray()) {
                    configured.clear();
                    kafka.forEach(p -> configured.add(p.asInt()));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        configured.forEach(p -> ports.add(p + "/TCP"));
        return ports;
    }

    private static Map<String, String> strings(JsonNode map) {
        Map<String, String> strings = new LinkedHashMap<>();
        map.fields().forEachRemaining(e -> strings.put(e.getKey(), e.getValue().asText()));
        return strings;
    }

    /** Whether a matchLabels selector selects an object with {@code labels}. */
    private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        return !selector.isEmpty() && selector.entrySet().stream()
                .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A Kubernetes memory quantity in MiB ({@code 768Mi}, {@code 1Gi}, bytes). */
    private static long mebibytes(String quantity) {
        Matcher matcher = Pattern.compile("([0-9]+)(Ki|Mi|Gi)?").matcher(quantity);
        assertThat(matcher.matches()).as("memory quantity %s", quantity).isTrue();
        long number = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "" : matcher.group(2);
        return switch (unit) {
            case "Gi" -> number * 1024;
            case "Mi" -> number;
            case "Ki" -> number / 1024;
            default -> number / (1 << 20);
        };
    }
}
