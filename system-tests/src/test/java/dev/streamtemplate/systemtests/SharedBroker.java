package dev.streamtemplate.systemtests;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real broker (its own process, every catalogue topic created) for all system test classes of a run, passed as a
 * {@link MultiInstanceStack} parameter; stopped with every instance still running when the run ends. Each test class
 * starts and stops its own service instances on it.
 */
public final class SharedBroker implements ParameterResolver {

    /** Under {@code system-tests/target/}: broker data, each instance's state directory and log. */
    static final Path DATA_DIR = Path.of("target", "system-test-data");

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == MultiInstanceStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        // the root store closes it (AutoCloseable) when the whole run ends
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .computeIfAbsent(MultiInstanceStack.class, type -> {
                    try {
                        return MultiInstanceStack.start(DATA_DIR, line -> System.out.println("[stack] " + line));
                    } catch (Exception e) {
                        throw new IllegalStateException("could not start the broker: " + e.getMessage(), e);
                    }
                }, MultiInstanceStack.class);
    }
}
