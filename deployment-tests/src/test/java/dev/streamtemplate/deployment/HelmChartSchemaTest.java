package dev.streamtemplate.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtemplate.deployment.KubernetesSchemaCheck.LabelledObject;
import dev.streamtemplate.deployment.RenderedChart.RenderedObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every object the chart renders conforms to the schema of its kind: the Kubernetes API's for the built-in kinds,
 * the prometheus-operator's and KEDA's CRDs for ServiceMonitor, PrometheusRule and ScaledObject, with unknown fields
 * rejected ({@link KubernetesSchemaCheck}, TypeScript types generated from those schemas).
 *
 * <p>The renderings are the chart's defaults, each shipped values file and every optional feature switched on
 * ({@code src/test/resources/helm/all-features.yaml}), helm test pods included, so every template is checked. A
 * second test proves the check can fail: deliberately wrong objects (an unknown container field, a string where an
 * integer goes, a missing required field, an unknown field in a CRD, a kind without a schema) each give a finding.
 * Needs Node.js and npm ({@link NodePackages}).
 */
class HelmChartSchemaTest {

    @Test
    void everyRenderedObjectConformsToTheSchemaOfItsKind() throws Exception {
        List<LabelledObject> objects = new ArrayList<>();
        Set<String> kinds = new TreeSet<>();
        for (StreamServiceChart.Release release : HelmChartTest.releases()) {
            for (RenderedObject object : StreamServiceChart.render(release).objects()) {
                objects.add(new LabelledObject(release + " " + object, object.body()));
                kinds.add(object.apiVersion() + " " + object.kind());
            }
        }

        List<String> findings = new KubernetesSchemaCheck(NodePackages.installed()).findings("chart", objects);

        assertThat(findings).as("schema violations").isEmpty();
        assertThat(kinds).as("every kind the chart can render was checked").containsExactlyInAnyOrder(
                "v1 ServiceAccount", "v1 Service", "v1 Pod", "v1 ConfigMap", "v1 Secret", "apps/v1 StatefulSet", "policy/v1 PodDisruptionBudget",
                "networking.k8s.io/v1 NetworkPolicy", "monitoring.coreos.com/v1 ServiceMonitor",
                "monitoring.coreos.com/v1 PrometheusRule", "keda.sh/v1alpha1 ScaledObject");
    }

    @Test
    void theCheckRejectsUnknownFieldsWrongTypesMissingFieldsAndUnknownKinds() throws Exception {
        RenderedChart rendering = StreamServiceChart.render(HelmChartTest.ALL_FEATURES);
        ObjectNode misspelt = rendering.one("StatefulSet").body().deepCopy();
        ((ObjectNode) misspelt.at("/spec/template/spec/containers/0")).put("imagePulPolicy", "Always");
        ObjectNode stringReplicas = rendering.one("StatefulSet").body().deepCopy();
        ((ObjectNode) stringReplicas.get("spec")).put("replicas", "2");
        ObjectNode nameless = rendering.one("StatefulSet").body().deepCopy();
        ((ObjectNode) nameless.at("/spec/template/spec/containers/0")).remove("name");
        ObjectNode scaledObject = rendering.one("ScaledObject").body().deepCopy();
        ((ObjectNode) scaledObject.at("/spec/triggers/0")).put("lagThreshold", "1000");
        ObjectNode serviceMonitor = rendering.one("ServiceMonitor").body().deepCopy();
        ((ObjectNode) serviceMonitor.at("/spec/endpoints/0")).put("interval", 30);
        ObjectNode unknownKind = rendering.one("StatefulSet").body().deepCopy().put("kind", "StatefulSets");
        ObjectNode wrongList = rendering.all("Service").get(0).body().deepCopy();
        ArrayNode ports = (ArrayNode) wrongList.at("/spec/ports");
        ports.add("8081");

        List<String> findings = new KubernetesSchemaCheck(NodePackages.installed()).findings("wrong", List.of(
                new LabelledObject("misspelt", misspelt),
                new LabelledObject("string-replicas", stringReplicas),
                new LabelledObject("nameless", nameless),
                new LabelledObject("scaled-object", scaledObject),
                new LabelledObject("service-monitor", serviceMonitor),
                new LabelledObject("unknown-kind", unknownKind),
                new LabelledObject("wrong-list", wrongList)));

        assertThat(findings).as("one finding per wrong object").anySatisfy(f -> assertThat(f)
                .startsWith("misspelt: ").contains("'\"imagePulPolicy\"' does not exist in type 'IContainer'"));
        assertThat(findings).anySatisfy(f -> assertThat(f)
                .startsWith("string-replicas: ").contains("Type 'string' is not assignable to type 'number'"));
        assertThat(findings).anySatisfy(f -> assertThat(f)
                .startsWith("nameless: ").contains("Property '\"name\"' is missing"));
        assertThat(findings).anySatisfy(f -> assertThat(f)
                .startsWith("scaled-object: ").contains("'\"lagThreshold\"' does not exist"));
        assertThat(findings).anySatisfy(f -> assertThat(f)
                .startsWith("service-monitor: ").contains("Type 'number' is not assignable to type 'string'"));
        assertThat(findings).anySatisfy(f -> assertThat(f)
                .contains("Cannot find module 'kubernetes-models/apps/v1/StatefulSets'"));
        assertThat(findings).anySatisfy(f -> assertThat(f)
                .startsWith("wrong-list: ").contains("Type 'string' is not assignable to type 'IServicePort'"));
    }
}
