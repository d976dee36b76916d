package dev.streamtemplate.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The RFC 6902 JSON Patch that turns one JSON document into another, as kustomize applies it ({@code patches} with a
 * target).
 *
 * <p>The patch is small and readable: objects are compared field by field ({@code add} for a new field, {@code remove}
 * for a dropped one), arrays of equal length element by element, and anything else that differs is replaced whole
 * (an array whose length changed, a value whose type changed, a scalar). Applying {@link #between}{@code (a, b)} to
 * {@code a} gives a document equal to {@code b}; {@code K8sManifestsTest} checks that with kustomize itself.
 */
final class JsonPatch {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonPatch() {
    }

    /** The operations that turn {@code from} into {@code to}, in document order; empty when they are equal. */
    static ArrayNode between(JsonNode from, JsonNode to) {
        ArrayNode operations = NODES.arrayNode();
        diff("", from, to, operations);
        return operations;
    }

    private static void diff(String path, JsonNode from, JsonNode to, ArrayNode operations) {
        if (from.equals(to)) {
            return;
        }
        if (from.isObject() && to.isObject()) {
            List<String> removed = new ArrayList<>();
            from.fieldNames().forEachRemaining(name -> {
                if (!to.has(name)) {
                    removed.add(name);
                }
            });
            for (String name : removed) {
                operations.add(operation("remove", path + "/" + escape(name), null));
            }
            for (Iterator<Map.Entry<String, JsonNode>> fields = to.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                String fieldPath = path + "/" + escape(field.getKey());
                if (from.has(field.getKey())) {
                    diff(fieldPath, from.get(field.getKey()), field.getValue(), operations);
                } else {
                    operations.add(operation("add", fieldPath, field.getValue()));
                }
            }
        } else if (from.isArray() && to.isArray() && from.size() == to.size()) {
            for (int i = 0; i < from.size(); i++) {
                diff(path + "/" + i, from.get(i), to.get(i), operations);
            }
        } else {
            operations.add(operation("replace", path, to));
        }
    }

    private static ObjectNode operation(String op, String path, JsonNode value) {
        ObjectNode operation = NODES.objectNode().put("op", op).put("path", path);
        if (value != null) {
            operation.set("value", value.deepCopy());
        }
        return operation;
    }

    /** A JSON Pointer token: {@code ~} as {@code ~0}, {@code /} as {@code ~1}. */
    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
