package io.distill4j.cli;

import io.distill4j.train.StopSignal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --spark} on tune, experiment and search: an unreachable master stops the command before it makes a run folder. */
class SparkOptionTest {

    private static void assertNoRunFolder(Path runs) throws IOException {
        if (Files.exists(runs)) {
            try (Stream<Path> files = Files.list(runs)) {
                assertTrue(files.findAny().isEmpty(), "no run folder");
            }
        }
    }

    @Test
    void anUnreachableMasterWritesNothing(@TempDir Path dir) throws IOException {
        Path runs = dir.resolve("runs");
        TuneCommand tune = Cli.parse(new TuneCommand(), "--spark", "spark://127.0.0.1:1", "--runs-dir",
                runs.toString(), "--candidates", "1", "--set", "data.height=16", "--set", "data.width=16");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tune.run(new StopSignal()));
        assertTrue(e.getMessage().contains("cannot reach the Spark master at 127.0.0.1:1"), e.getMessage());
        assertNoRunFolder(runs);

        ExperimentCommand experiment = Cli.parse(new ExperimentCommand(), "--spark", "nowhere:7077", "--runs-dir",
                runs.toString(), "--seeds", "2", "--methods", "scratch");
        e = assertThrows(IllegalArgumentException.class, () -> experiment.run(new StopSignal()));
        assertTrue(e.getMessage().startsWith("--spark nowhere:7077: not a Spark master URL"), e.getMessage());
        assertNoRunFolder(runs);

        SearchCommand search = Cli.parse(new SearchCommand(), "--spark", "spark://127.0.0.1:1", "--runs-dir",
                runs.toString(), "--strategy", "random", "--iterations", "1");
        e = assertThrows(IllegalArgumentException.class, () -> search.run(new StopSignal()));
        assertTrue(e.getMessage().contains("cannot reach the Spark master at 127.0.0.1:1"), e.getMessage());
        assertNoRunFolder(runs);
    }
}
