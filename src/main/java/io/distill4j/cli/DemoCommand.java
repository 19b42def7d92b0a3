package io.distill4j.cli;

import io.distill4j.train.StopSignal;
import io.distill4j.workflows.Demo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code distill4j demo}: the {@link Demo}: teacher, distilled student and scratch student (same budget) on the
 * built-in land-cover data (or any config), compared on the held-out test split.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Teacher, distilled student and scratch student on the built-in data; compare them.")
public final class DemoCommand implements Callable<Integer> {

    @Mixin
    RunOptions options = new RunOptions();

    Demo.Result run(StopSignal stop) {
        return Demo.run(options.source(List.of(), stop));
    }

    @Override
    public Integer call() {
        Demo.Result r = run(Commands.stopOnCtrlC());
        System.out.println();
        System.out.println(r.table().toMarkdown());
        System.out.println(r.verdict());
        System.out.printf(Locale.ROOT, "total %.0f s; report: %s%n", r.seconds(), r.runDir().resolve("report.md"));
        return 0;
    }
}
