package io.distill4j.cli;

import io.distill4j.data.Dataset;
import io.distill4j.data.DatasetInspection;
import io.distill4j.data.DatasetSpec;
import io.distill4j.data.Datasets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import io.distill4j.config.ConfigException;
import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.train.Run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

        @Option(names = "--set", paramLabel = "KEY=VALUE",
                description = "Override a run config field, e.g. --set data.samples=100 (as train's --set).")
        List<String> set = new ArrayList<>();

        @Spec
        CommandSpec commandSpec;

        /** Opens the dataset, inspects it and writes the mosaics; the result also carries the printed report. */
        public DatasetInspection run(Path config, Path out, int samples) {
            return run(config, List.of(), out, samples);
        }

        /**
         * As above with config overrides. The built-in config or a complete run config opens its data exactly as
         * {@code train} does ({@link Run#openData}), so the fingerprint is the one train logs; a file that is only a
         * dataset spec (or a partial config) is read as one, without overrides.
         */
        public DatasetInspection run(Path config, List<String> overrides, Path out, int samples) {
            if (samples < 1) {
                throw new IllegalArgumentException("--samples: must be >= 1, got " + samples);
            }
            Dataset dataset;
            RunConfig runConfig = null;
            try {
                runConfig = RunConfigs.load(config, overrides);
            } catch (ConfigException e) {
                if (config == null || !overrides.isEmpty()) {
                    throw e;
                }
            }
            dataset = runConfig != null ? Run.openData(runConfig) : Datasets.open(DatasetSpec.fromYaml(config));
            return DatasetInspection.of(dataset, out, samples);
        }

        @Override
        public Integer call() {
            DatasetInspection inspection = run(config, set, out, samples);
            commandSpec.commandLine().getOut().print(inspection.report());
            commandSpec.commandLine().getOut().flush();
            return 0;
        }
    }
}
