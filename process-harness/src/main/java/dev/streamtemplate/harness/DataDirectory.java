package dev.streamtemplate.harness;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The local stack's data directory, held by one launcher at a time (a file lock on {@code .lock}, which the OS
 * releases even when the launcher is killed).
 *
 * <pre>
 * .local-stack-data       marker: this is a local-stack data directory (--wipe refuses directories without it)
 * .lock                   held by the running launcher; holds its pid
 * children.pids           the running children (see {@link ChildProcesses#stopLeftovers})
 * config/                 the broker's server.properties and log4j2 configuration
 * kafka/                  the broker's log directory (topics, metadata)
 * state/&lt;service&gt;/        each service's Kafka Streams state
 * logs/                   one log file per child process
 * </pre>
 */
public final class DataDirectory {

    private static final String MARKER = ".local-stack-data";
    private static final String LOCK = ".lock";

    private final Path root;
    @SuppressWarnings("unused") // held, not read: the lock lasts as long as the channel is open
    private final FileChannel lockChannel;

    private DataDirectory(Path root, FileChannel lockChannel) {
        this.root = root;
        this.lockChannel = lockChannel;
    }

    /**
     * Creates (or reuses) the directory and locks it; stops children an earlier, killed launcher left running;
     * with {@code wipe}, deletes everything an earlier run left.
     *
     * @param leftovers receives one console line per stopped leftover child
     * @throws StackFailure when another launcher holds the directory, or {@code wipe} is asked for a non-empty
     *                      directory that is not a local-stack data directory
     */
    public static DataDirectory open(Path root, boolean wipe, Consumer<String> leftovers)
            throws IOException, StackFailure {
        if (wipe && Files.isDirectory(root) && !Files.exists(root.resolve(MARKER)) && !isEmpty(root)) {
            throw new StackFailure("refusing to --wipe " + root + ": it has no " + MARKER
                    + " file, so it may not be a local-stack data directory. Delete it yourself if it is one.");
        }
        Files.createDirectories(root);
        FileChannel channel = FileChannel.open(root.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very JVM
        }
        if (lock == null) {
            String holder = Files.readString(root.resolve(LOCK), StandardCharsets.UTF_8).strip();
            channel.close();
            throw new StackFailure("another local stack" + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                    + " is running with the data directory " + root + ". Stop it first (Ctrl-C in its terminal), "
                    + "or use another --data-dir and other ports.");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)));
        channel.force(false);

        DataDirectory directory = new DataDirectory(root, channel);
        ChildProcesses.stopLeftovers(directory.pidFile()).forEach(leftovers);
        if (wipe) {
            directory.deleteContents();
        }
        Files.writeString(root.resolve(MARKER),
                "A local-stack data directory: broker data, service state, logs. Safe to delete while the stack is stopped.\n",
                StandardCharsets.UTF_8);
        Files.createDirectories(directory.logs());
        return directory;
    }

    /** The directory. */
    public Path root() {
        return root;
    }

    /** Where every child's log file goes. */
    public Path logs() {
        return root.resolve("logs");
    }

    /** The file that lists the running children. */
    public Path pidFile() {
        return root.resolve("children.pids");
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /** Deletes everything but the lock file (deleting it would let a second launcher lock a new one). */
    private void deleteContents() throws IOException {
        List<Path> entries;
        try (Stream<Path> list = Files.list(root)) {
            entries = list.filter(entry -> !entry.getFileName().toString().equals(LOCK)).toList();
        }
        for (Path entry : entries) {
            Files.walkFileTree(entry, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
    }
}
