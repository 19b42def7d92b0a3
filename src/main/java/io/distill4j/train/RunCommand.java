package io.distill4j.train;

import com.fasterxml.jackson.databind.JsonNode;

import io.distill4j.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a run folder was made to do: the command ({@code train}, {@code distill}, {@code demo}, {@code tune}), the model
 * it trains and the teacher file it distills from. Written as {@value #FILE} when the run starts, so that
 * {@code --resume RUN_DIR} alone continues exactly that run.
 *
 * @param command the subcommand that made the run
 * @param model   the model it trains ({@code teacher}/{@code student} for {@code train}), or null
 * @param teacher the teacher file it distills from, or null
 */
public record RunCommand(String command, String model, String teacher) {

    public static final String FILE = "command.json";

    public static RunCommand of(String command) {
        return new RunCommand(command, null, null);
    }

    /** Records this command in a new run folder. */
    public void write(RunFolder folder) {
        folder.writeJson(FILE, this);
    }

    /**
     * The command a run folder recorded; for folders made before {@value #FILE} existed, read from the command line
     * in its provenance.json ({@code train --model student}, {@code distill --teacher FILE}).
     */
    public static Optional<RunCommand> read(Path runDir) {
        try {
            Path file = runDir.resolve(FILE);
            if (Files.isRegularFile(file)) {
                return Optional.of(Json.MAPPER.readValue(file.toFile(), RunCommand.class));
            }
            Path provenance = runDir.resolve(RunFolder.PROVENANCE);
            if (!Files.isRegularFile(provenance)) {
                return Optional.empty();
            }
            JsonNode line = Json.MAPPER.readTree(provenance.toFile()).get("command");
            return line == null || line.isNull() ? Optional.empty() : Optional.of(parse(line.asText()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read what run folder " + runDir + " was running: " + e.getMessage(), e);
        }
    }

    /** Parses the command lines older run folders recorded in their provenance. */
    static RunCommand parse(String line) {
        String[] words = line.trim().split("\\s+");
        String model = null;
        String teacher = null;
        for (int i = 1; i + 1 < words.length; i++) {
            if (words[i].equals("--model")) {
                model = words[i + 1];
            } else if (words[i].equals("--teacher")) {
                teacher = words[i + 1];
            }
        }
        return new RunCommand(words[0], model, teacher);
    }

    /** The command line that resumes a run folder. */
    public static String resumeLine(Path runDir) {
        String command = read(runDir).map(RunCommand::command).orElse("train");
        return "distill4j " + command + " --resume " + runDir;
    }

    /** As provenance.json records it. */
    @Override
    public String toString() {
        return command + (model != null ? " --model " + model : "") + (teacher != null ? " --teacher " + teacher : "");
    }
}
