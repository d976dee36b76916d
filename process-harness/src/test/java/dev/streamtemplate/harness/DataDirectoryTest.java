package dev.streamtemplate.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {

    @Test
    void oneLauncherAtATime(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("local-stack-data");
        DataDirectory held = DataDirectory.open(root, false, line -> { });

        assertThat(held.logs()).isDirectory();
        assertThatThrownBy(() -> DataDirectory.open(root, false, line -> { }))
                .isInstanceOf(StackFailure.class)
                .hasMessageContaining("another local stack (pid " + ProcessHandle.current().pid() + ")");
    }

    @Test
    void wipeDeletesWhatAnEarlierRunLeft(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("local-stack-data");
        Files.createDirectories(root.resolve("kafka"));
        Files.writeString(root.resolve(".local-stack-data"), "");
        Files.writeString(root.resolve("kafka").resolve("meta.properties"), "cluster.id=x");

        DataDirectory.open(root, true, line -> { });

        assertThat(root.resolve("kafka")).doesNotExist();
        assertThat(root.resolve(".local-stack-data")).exists();
    }

    @Test
    void wipeRefusesADirectoryThatIsNotOurs(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("thesis.tex"), "precious");

        assertThatThrownBy(() -> DataDirectory.open(dir, true, line -> { }))
                .hasMessageContaining("refusing to --wipe");
        assertThat(dir.resolve("thesis.tex")).exists();
    }
}
