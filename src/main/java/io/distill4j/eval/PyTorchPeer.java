package io.distill4j.eval;

import com.fasterxml.jackson.databind.JsonNode;

import io.distill4j.util.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The PyTorch peer of {@link Benchmark}: {@code notebooks/pytorch_peer_benchmark.py} run by a Python that can import
 * torch, with the same models, sizes, steps, batch, protocol and thread count, and its JSON read back.
 *
 * @param python the Python executable ({@code python3} by default)
 * @param script the peer script
 */
public record PyTorchPeer(String python, Path script) {

    /** The peer script's place in the source tree, relative to the project folder. */
    public static final Path SCRIPT = Path.of("notebooks", "pytorch_peer_benchmark.py");

    /** The Pythons tried when none is named: the one on the PATH, then Debian's, where {@code python3-torch} goes. */
    public static final List<String> DEFAULT_PYTHONS = List.of("python3", "/usr/bin/python3");

    /** One measured step of the peer, as its JSON gives it. */
    public record Row(String model, int size, Benchmark.Step step, double imagesPerSecond, double[] repetitionSeconds) {
    }

    /**
     * What the peer measured.
     *
     * @param cpuCapability the SIMD level PyTorch's own kernels use ("AVX2", "AVX512"); oneDNN picks its own
     */
    public record Result(String torch, int threads, String cpuCapability, List<Row> rows) {

        public Row find(String model, int size, Benchmark.Step step) {
            return rows.stream().filter(r -> r.model().equals(model) && r.size() == size && r.step() == step)
                    .findFirst().orElse(null);
        }
    }

    /** Whether torch can be imported: its version, or why not (the reason names the Python and its error). */
    public record Availability(boolean available, String torchVersion, String reason) {
    }

    /** A peer that failed or wrote something unreadable; the message names the file or the command. */
    public static final class PeerException extends RuntimeException {
        public PeerException(String message) {
            super(message);
        }
    }

    /**
     * The script in the current folder's {@code notebooks/}, else next to the jar's project folder (the launcher's
     * {@code target/distill4j.jar}); null when neither has it.
     */
    public static Path findScript() {
        List<Path> candidates = new ArrayList<>(List.of(SCRIPT.toAbsolutePath()));
        try {
            Path jar = Path.of(PyTorchPeer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path project = jar.getParent() == null ? null : jar.getParent().getParent();
            if (project != null) {
                candidates.add(project.resolve(SCRIPT));
            }
        } catch (Exception e) {
            // no code source (an unusual class loader): the current folder is all there is
        }
        return candidates.stream().filter(Files::isRegularFile).findFirst().orElse(null);
    }

    /** The first of some Pythons that imports torch, or why none does. */
    public record Lookup(PyTorchPeer peer, String reason) {
    }

    public static Lookup find(List<String> pythons, Path script) {
        List<String> reasons = new ArrayList<>();
        for (String python : pythons) {
            PyTorchPeer candidate = new PyTorchPeer(python, script);
            Availability availability = candidate.availability();
            if (availability.available()) {
                return new Lookup(candidate, null);
            }
            reasons.add(availability.reason());
        }
        return new Lookup(null, String.join("; ", reasons));
    }

    /** Asks {@link #python} to import torch (at most a minute). */
    public Availability availability() {
        return availability("torch");
    }

    /** Whether {@code module} can be imported, and its {@code __version__}. */
    Availability availability(String module) {
        List<String> command = List.of(python, "-c", "import " + module + "; print(" + module + ".__version__)");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Availability(false, null, python + " did not answer within a minute");
            }
            if (process.exitValue() != 0) {
                String[] lines = output.split("\n");
                return new Availability(false, null, python + " cannot import " + module + ": "
                        + lines[lines.length - 1]);
            }
            String[] lines = output.split("\n");
            return new Availability(true, lines[lines.length - 1].trim(), null);
        } catch (IOException e) {
            return new Availability(false, null, "cannot run " + python + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Availability(false, null, "interrupted while asking " + python + " for torch");
        }
    }

    /**
     * Runs the peer for what {@code settings} measure, with {@code threads} threads, writing its JSON to
     * {@code json}; its progress lines go to {@code progress}. The child inherits this process's CPU affinity and
     * environment, so a {@code taskset}-pinned benchmark pins its peer the same way.
     */
    public Result run(Benchmark.Settings settings, int threads, Path json, Consumer<String> progress) {
        if (script == null || !Files.isRegularFile(script)) {
            throw new PeerException("the PyTorch peer script " + script + " does not exist (it is " + SCRIPT
                    + " in the project; --peer-script names another)");
        }
        List<String> command = new ArrayList<>(List.of(python, script.toString(), "--threads", String.valueOf(threads),
                "--batch", String.valueOf(settings.batchSize()), "--warmup", String.valueOf(settings.warmup()),
                "--min-warmup-seconds", String.valueOf(settings.minWarmupMillis() / 1000.0),
                "--repetitions", String.valueOf(settings.repetitions()),
                "--min-repetition-seconds", String.valueOf(settings.minRepetitionMillis() / 1000.0),
                "--out", json.toString()));
        command.add("--sizes");
        settings.sizes().forEach(size -> command.add(String.valueOf(size)));
        command.add("--models");
        command.addAll(settings.models());
        command.add("--steps");
        settings.steps().forEach(step -> command.add(step.name().toLowerCase(Locale.ROOT)));
        progress.accept("PyTorch peer: " + String.join(" ", command));
        List<String> tail = new ArrayList<>();
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    progress.accept("  peer: " + line);
                    tail.add(line);
                    if (tail.size() > 20) {
                        tail.remove(0);
                    }
                }
            }
            int exit = process.waitFor();
            if (exit != 0) {
                throw new PeerException("the PyTorch peer (" + String.join(" ", command) + ") exited with " + exit
                        + "; its last output:\n" + String.join("\n", tail));
            }
        } catch (IOException e) {
            throw new PeerException("cannot run the PyTorch peer " + String.join(" ", command) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerException("interrupted while the PyTorch peer ran");
        }
        return read(json);
    }

    /** Reads the peer's JSON ({@code "schema": 1}); a missing or malformed field is an error naming file and field. */
    public static Result read(Path json) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json.toFile());
        } catch (IOException e) {
            throw new PeerException("cannot read the PyTorch peer's JSON " + json + ": " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new PeerException("the PyTorch peer's JSON " + json + " is not an object");
        }
        int schema = root.path("schema").asInt(0);
        if (schema != 1) {
            throw new PeerException(json + ": field \"schema\" must be 1, got " + root.get("schema"));
        }
        JsonNode rows = root.get("rows");
        if (rows == null || !rows.isArray()) {
            throw new PeerException(json + ": field \"rows\" must be an array");
        }
        List<Row> parsed = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            JsonNode row = rows.get(i);
            String where = json + ": rows[" + i + "]";
            String model = text(row, "model", where);
            if (!model.equals("teacher") && !model.equals("student")) {
                throw new PeerException(where + ".model must be teacher or student, got \"" + model + "\"");
            }
            String stepName = text(row, "step", where);
            Benchmark.Step step;
            try {
                step = Benchmark.Step.valueOf(stepName.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new PeerException(where + ".step \"" + stepName + "\" is none of train, distill, distill_cached,"
                        + " inference");
            }
            JsonNode size = row.get("size");
            if (size == null || !size.canConvertToInt() || size.asInt() <= 0) {
                throw new PeerException(where + ".size must be a positive integer, got " + size);
            }
            JsonNode rate = row.get("images_per_second");
            if (rate == null || !rate.isNumber() || !(rate.asDouble() > 0) || !Double.isFinite(rate.asDouble())) {
                throw new PeerException(where + ".images_per_second must be a positive number, got " + rate);
            }
            JsonNode reps = row.path("repetition_seconds");
            double[] seconds = new double[reps.isArray() ? reps.size() : 0];
            for (int r = 0; r < seconds.length; r++) {
                seconds[r] = reps.get(r).asDouble();
            }
            parsed.add(new Row(model, size.asInt(), step, rate.asDouble(), seconds));
        }
        return new Result(root.path("torch").asText("unknown"), root.path("threads").asInt(0),
                root.path("cpu_capability").asText("unknown"), List.copyOf(parsed));
    }

    private static String text(JsonNode row, String field, String where) {
        JsonNode value = row.get(field);
        if (value == null || !value.isTextual()) {
            throw new PeerException(where + "." + field + " must be a string, got " + value);
        }
        return value.asText();
    }
}
