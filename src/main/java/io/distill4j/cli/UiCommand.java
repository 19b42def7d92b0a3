package io.distill4j.cli;

import io.distill4j.ui.TrainingUi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code distill4j ui RUN_DIR}: serves a run's recorded training statistics in DL4J's training UI until Ctrl-C. */
@Command(name = "ui", mixinStandardHelpOptions = true,
        description = "Show a run (finished or not) in DL4J's training UI, from its training-stats.dl4j.")
public final class UiCommand implements Callable<Integer> {

    @Parameters(paramLabel = "RUN_DIR", description = "A run folder, or its training-stats.dl4j file.")
    Path run;

    @Option(names = "--port", description = "Port (default: ${DEFAULT-VALUE}; the next free one when it is in use;"
            + " 0: any free port).", defaultValue = "9000")
    int port = TrainingUi.DEFAULT_PORT;

    @Override
    public Integer call() throws InterruptedException {
        TrainingUi ui = TrainingUi.open(run, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ui.close();
            stopped.countDown();
        }));
        System.out.println(ui.message());
        System.out.println("sessions: one per model (" + run.getFileName() + ".<model>); Ctrl-C stops the server");
        stopped.await();
        return 0;
    }
}
