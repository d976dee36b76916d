package dev.streamtemplate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Checks a running service's OpenAPI document ({@code GET /q/openapi?format=json}) against its JAX-RS resources and
 * against what its routes answer. The routes are found independently of the document: every {@code @GET} method of
 * every {@code @Path} class in the code sources (class directories or jars) of the given anchor classes.
 *
 * <p>Each route must be in the document with a GET operation whose parameters are all documented (name, {@code in},
 * description, schema), with a 200 answer that has an example. A route with parameters must document 400 and 503
 * (with {@code Retry-After}), and every documented error answer must use the {@code ApiError} schema. Then each route
 * is asked twice: with every parameter 513 characters long (one over the key limit), which must answer 400, and with
 * every parameter set to its documented example, which must answer a documented status. Every error body must have
 * exactly the properties of the documented {@code ApiError} schema, its {@code status} the HTTP status.
 */
public final class OpenApiContract {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOO_LONG = "x".repeat(513);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> violations = new ArrayList<>();

    private OpenApiContract(URI base) {
        this.base = base;
    }

    /**
     * Runs every check.
     *
     * @param base    the service, such as {@code http://localhost:8081}
     * @param anchors classes whose code sources hold the resources (the service's own and shared-runtime's)
     * @return the routes checked, as {@code GET /path}
     * @throws AssertionError listing every violation
     */
    public static List<String> verify(URI base, Class<?>... anchors) {
        OpenApiContract contract = new OpenApiContract(base);
        JsonNode document = contract.get("/q/openapi?format=json").json();
        List<Route> routes = new ArrayList<>();
        for (Class<?> anchor : anchors) {
            routes.addAll(routes(anchor));
        }
        if (routes.isEmpty()) {
            throw new AssertionError("no JAX-RS route found next to " + List.of(anchors));
        }
        for (Route route : routes) {
            contract.check(route, document);
        }
        if (!contract.violations.isEmpty()) {
            throw new AssertionError("the OpenAPI document and the routes disagree:\n  "
                    + String.join("\n  ", contract.violations));
        }
        return routes.stream().map(r -> "GET " + r.path()).sorted().toList();
    }

    private void check(Route route, JsonNode document) {
        JsonNode operation = document.path("paths").path(route.path()).path("get");
        if (operation.isMissingNode()) {
            violations.add("GET " + route.path() + " (" + route.method() + ") is not in /q/openapi");
            return;
        }
        Map<String, JsonNode> documented = new LinkedHashMap<>();
        operation.path("parameters").forEach(p -> documented.put(p.path("in").asText() + " " + p.path("name").asText(), p));
        for (Map.Entry<String, String> parameter : route.parameters().entrySet()) {
            JsonNode doc = documented.get(parameter.getValue() + " " + parameter.getKey());
            if (doc == null) {
                violations.add("GET " + route.path() + ": " + parameter.getValue() + " parameter '" + parameter.getKey()
                        + "' is not documented");
            } else if (doc.path("description").asText().isBlank() || doc.path("schema").isMissingNode()) {
                violations.add("GET " + route.path() + ": parameter '" + parameter.getKey() + "' lacks a description or schema");
            }
        }
        JsonNode responses = operation.path("responses");
        if (responses.path("200").path("content").path("application/json").path("examples").isEmpty()) {
            violations.add("GET " + route.path() + ": its 200 answer has no example");
        }
        if (!route.parameters().isEmpty()) {
            if (responses.path("400").isMissingNode()) {
                violations.add("GET " + route.path() + ": 400 is not documented");
            }
            if (responses.path("503").path("headers").path("Retry-After").isMissingNode()) {
                violations.add("GET " + route.path() + ": 503 with Retry-After is not documented");
            }
        }
        Set<String> codes = new TreeSet<>();
        responses.fieldNames().forEachRemaining(codes::add);
        for (String code : codes) {
            String schema = responses.path(code).path("content").path("application/json").path("schema").path("$ref").asText();
            if (!code.startsWith("2") && !schema.equals("#/components/schemas/ApiError")) {
                violations.add("GET " + route.path() + ": its " + code + " answer does not use the ApiError schema");
            }
        }
        JsonNode errorSchema = document.path("components").path("schemas").path("ApiError");
        if (route.parameters().isEmpty()) {
            return;
        }
        Answer tooLong = get(route.uri(name -> TOO_LONG));
        if (tooLong.status() != 400) {
            violations.add("GET " + route.path() + " with every parameter " + TOO_LONG.length() + " characters long answered "
                    + tooLong.status() + ", not 400");
        }
        checkError(route, "too long", tooLong, errorSchema);
        Answer example = get(route.uri(name -> documented.values().stream()
                .filter(p -> p.path("name").asText().equals(name)).findFirst()
                .map(p -> p.path("example").asText()).orElse("")));
        if (!codes.contains(String.valueOf(example.status()))) {
            violations.add("GET " + route.path() + " with the documented examples answered " + example.status()
                    + ", which is not documented (" + codes + ")");
        }
        checkError(route, "examples", example, errorSchema);
    }

    private void checkError(Route route, String request, Answer answer, JsonNode errorSchema) {
        if (answer.status() < 400) {
            return;
        }
        JsonNode body = answer.json();
        Set<String> expected = new TreeSet<>();
        errorSchema.path("properties").fieldNames().forEachRemaining(expected::add);
        Set<String> actual = new TreeSet<>();
        body.fieldNames().forEachRemaining(actual::add);
        if (expected.isEmpty() || !actual.equals(expected) || body.path("status").asInt() != answer.status()) {
            violations.add("GET " + route.path() + " (" + request + "): the " + answer.status() + " body " + body
                    + " is not an ApiError " + expected + " with its status");
        }
    }

    private Answer get(String pathAndQuery) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery))
                    .header("Accept", "application/json").timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + pathAndQuery + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** An answer's status and body. */
    private record Answer(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (HTTP " + status + "): " + body, e);
            }
        }
    }

    /**
     * One GET route.
     *
     * @param path       the path template, as OpenAPI writes it ({@code /users/{userId}/cart})
     * @param parameters parameter name to where it goes ({@code query} or {@code path})
     * @param method     the resource method, for messages
     */
    private record Route(String path, Map<String, String> parameters, String method) {

        /** The path and query with each parameter's value from {@code value}. */
        String uri(Function<String, String> value) {
            String uri = path;
            List<String> query = new ArrayList<>();
            for (Map.Entry<String, String> parameter : parameters.entrySet()) {
                String encoded = URLEncoder.encode(value.apply(parameter.getKey()), StandardCharsets.UTF_8).replace("+", "%20");
                if (parameter.getValue().equals("path")) {
                    uri = uri.replace("{" + parameter.getKey() + "}", encoded);
                } else {
                    query.add(parameter.getKey() + "=" + encoded);
                }
            }
            return query.isEmpty() ? uri : uri + "?" + String.join("&", query);
        }
    }

    private static List<Route> routes(Class<?> anchor) {
        List<Route> routes = new ArrayList<>();
        for (Class<?> type : classesBeside(anchor)) {
            String classPath = annotationValue(type.getAnnotations(), "jakarta.ws.rs.Path");
            if (classPath == null) {
                continue;
            }
            for (Method method : type.getDeclaredMethods()) {
                if (annotation(method.getAnnotations(), "jakarta.ws.rs.GET") == null) {
                    continue;
                }
                String methodPath = annotationValue(method.getAnnotations(), "jakarta.ws.rs.Path");
                String path = ("/" + classPath + "/" + (methodPath == null ? "" : methodPath)).replaceAll("/+", "/");
                if (path.length() > 1 && path.endsWith("/")) {
                    path = path.substring(0, path.length() - 1);
                }
                Map<String, String> parameters = new LinkedHashMap<>();
                for (Parameter parameter : method.getParameters()) {
                    String query = annotationValue(parameter.getAnnotations(), "jakarta.ws.rs.QueryParam");
                    String inPath = annotationValue(parameter.getAnnotations(), "jakarta.ws.rs.PathParam");
                    if (query != null) {
                        parameters.put(query, "query");
                    } else if (inPath != null) {
                        parameters.put(inPath, "path");
                    }
                }
                routes.add(new Route(path, parameters, type.getSimpleName() + "#" + method.getName()));
            }
        }
        return routes;
    }

    /** Every class in the code source (directory or jar) of {@code anchor}, loaded with its class loader. */
    private static List<Class<?>> classesBeside(Class<?> anchor) {
        List<String> names = new ArrayList<>();
        try {
            Path source = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(source)) {
                try (Stream<Path> files = Files.walk(source)) {
                    files.filter(f -> f.toString().endsWith(".class"))
                            .forEach(f -> names.add(source.relativize(f).toString().replace('/', '.').replace('\\', '.')));
                }
            } else {
                try (JarFile jar = new JarFile(source.toFile())) {
                    jar.stream().filter(e -> e.getName().endsWith(".class")).forEach(e -> names.add(e.getName().replace('/', '.')));
                }
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot list the classes beside " + anchor.getName(), e);
        }
        List<Class<?>> classes = new ArrayList<>();
        for (Iterator<String> it = names.iterator(); it.hasNext(); ) {
            String name = it.next();
            name = name.substring(0, name.length() - ".class".length());
            if (name.contains("$") || name.endsWith("module-info") || name.endsWith("package-info")) {
                continue;
            }
            try {
                classes.add(Class.forName(name, false, anchor.getClassLoader()));
            } catch (ClassNotFoundException | LinkageError e) {
                // a class that cannot be loaded here is not a resource the test application serves
            }
        }
        return classes;
    }

    private static Annotation annotation(Annotation[] annotations, String type) {
        for (Annotation annotation : annotations) {
            if (annotation.annotationType().getName().equals(type)) {
                return annotation;
            }
        }
        return null;
    }

    private static String annotationValue(Annotation[] annotations, String type) {
        Annotation annotation = annotation(annotations, type);
        if (annotation == null) {
            return null;
        }
        try {
            return (String) annotation.annotationType().getMethod("value").invoke(annotation);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read @" + type, e);
        }
    }
}
