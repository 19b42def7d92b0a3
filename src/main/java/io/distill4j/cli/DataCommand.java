package io.distill4j.cli;

import io.distill4j.data.Dataset;
import io.distill4j.data.DatasetInspection;
import io.distill4j.data.DatasetSpec;
import io.distill4j.data.Datasets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code data}: work with datasets; {@code data inspect} reports on the dataset a config names. */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Work with datasets.",
        subcommands = {DataCommand.Inspect.class})
public class DataCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** {@code data inspect}: class counts and pixel frequencies, sizes, and sample mosaics as PNG. */
    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Print a dataset's sizes and class counts/frequencies and write sample mosaics "
                    + "(image | coloured mask) as PNG.")
    public static class Inspect implements Callable<Integer> {

        @Option(names = "--config", paramLabel = "FILE",
                description = "YAML whose data: section is the dataset spec (or a YAML that is just the spec); "
                        + "without it, the built-in landcover default.")
        Path config;

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/data-inspect",
                description = "Folder for the mosaics (default: ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--samples", paramLabel = "N", defaultValue = "8",
                description = "Samples per split in each mosaic (default: ${DEFAULT-VALUE}).")
        int samples;

        @Spec
        CommandSpec commandSpec;

        /** Opens the dataset, inspects it and writes the mosaics; the result also carries the printed report. */
        public DatasetInspection run(Path config, Path out, int samples) {
            if (samples < 1) {
                throw new IllegalArgumentException("--samples: must be >= 1, got " + samples);
            }
            DatasetSpec datasetSpec = config != null ? DatasetSpec.fromYaml(config) : new DatasetSpec();
            Dataset dataset = Datasets.open(datasetSpec);
            return DatasetInspection.of(dataset, out, samples);
        }

        @Override
        public Integer call() {
            DatasetInspection inspection = run(config, out, samples);
            commandSpec.commandLine().getOut().print(inspection.report());
            commandSpec.commandLine().getOut().flush();
            return 0;
        }
    }
}
