package io.distill4j.train;

import io.distill4j.config.RunConfig;
import io.distill4j.data.Dataset;
import io.distill4j.data.Task;
import io.distill4j.model.ModelFiles;
import io.distill4j.model.UNetFactory;
import io.distill4j.util.Json;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Whether a saved model can teach a run's student: it must be a distill4j network with a logits vertex, of the data's
 * task (checked first, so a classification teacher on segmentation data is named as such rather than as a class-count
 * mismatch), predicting the data's classes. A teacher that looks like a student (trained as one, or no larger than
 * the student) is allowed, with a warning.
 */
public final class TeacherCompatibility {

    private TeacherCompatibility() {
    }

    /** The task a distill4j network was built for: a conv logits layer (rank-4 weights) segments, a dense one classifies. */
    public static Task taskOf(ComputationGraph model) {
        if (model.getVertex(UNetFactory.LOGITS) == null) {
            throw new IllegalArgumentException("the teacher has no \"" + UNetFactory.LOGITS
                    + "\" vertex: it was not built by distill4j (for other teachers, pass log-probabilities)");
        }
        return model.getLayer(UNetFactory.LOGITS).getParam("W").rank() == 4 ? Task.SEGMENTATION : Task.CLASSIFICATION;
    }

    /**
     * Checks a teacher against the data and the run's student config.
     *
     * @param teacherFile the file it came from (its recorded command tells a student), or null
     * @return warnings (empty when all is well)
     * @throws IllegalArgumentException when the teacher cannot teach this student
     */
    public static List<String> check(ComputationGraph teacher, Path teacherFile, Dataset data, RunConfig config) {
        Task task = taskOf(teacher);
        if (task != data.task()) {
            throw new IllegalArgumentException("the teacher is a " + name(task) + " model, the data is "
                    + name(data.task()) + " (teacher " + (teacherFile != null ? teacherFile : "given") + ", data "
                    + data.name() + ")");
        }
        long[] logits = teacher.getLayer(UNetFactory.LOGITS).getParam("W").shape();
        long classes = task == Task.SEGMENTATION ? logits[0] : logits[1];
        if (classes != data.numClasses()) {
            throw new IllegalArgumentException("the teacher predicts " + classes + " classes (logits weights "
                    + Arrays.toString(logits) + "), the data has " + data.numClasses() + " (" + data.classNames() + ")");
        }
        List<String> warnings = new ArrayList<>();
        String recorded = teacherFile == null ? null : ModelFiles.readEntryIfReadable(teacherFile, Run.ENTRY_PROVENANCE)
                .map(TeacherCompatibility::recordedCommand).orElse(null);
        // only commands that train students alone say so: experiment and search runs train their teacher too
        if (recorded != null && (recorded.startsWith("distill") || recorded.startsWith("tune")
                || (recorded.startsWith("train") && recorded.contains("--model student")))) {
            warnings.add("the teacher " + teacherFile + " was trained as a student (`" + recorded
                    + "`): is it the right file?");
        }
        long teacherParams = teacher.numParams();
        ComputationGraph student = Trainer.build(Trainer.spec(config, config.student, data, false), config.student);
        long studentParams = student.numParams();
        student.close();
        if (teacherParams <= studentParams) {
            warnings.add(String.format(Locale.ROOT, "the teacher%s (%,d parameters) is no larger than the student"
                    + " (%,d parameters): a student model passed as --teacher?",
                    teacherFile != null ? " " + teacherFile : "", teacherParams, studentParams));
        }
        return warnings;
    }

    private static String recordedCommand(String provenanceJson) {
        try {
            com.fasterxml.jackson.databind.JsonNode command = Json.MAPPER.readTree(provenanceJson).get("command");
            return command == null || command.isNull() ? null : command.asText();
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static String name(Task task) {
        return task.name().toLowerCase(Locale.ROOT);
    }
}
