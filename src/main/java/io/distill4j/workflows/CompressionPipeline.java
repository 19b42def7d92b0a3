package io.distill4j.workflows;

import io.distill4j.compress.Compression;
import io.distill4j.compress.Stage;
import io.distill4j.config.PruneMethod;
import io.distill4j.config.QuantizeMode;
import io.distill4j.config.RunConfig;
import io.distill4j.model.ModelFiles;
import io.distill4j.train.TrainedModel;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The whole pipeline of one config: distill the student from a teacher, prune it ({@code compress.prune}), quantize
 * it ({@code compress.quantize}), and tabulate every stage. The teacher file is only read.
 */
public final class CompressionPipeline {

    private CompressionPipeline() {
    }

    /**
     * @param teacher a teacher model zip distill4j saved
     * @param config  the run config (data, student, distillation, compress); null = the one stored in the teacher
     */
    public record Options(Path teacher, RunConfig config) {
        public Options {
            Objects.requireNonNull(teacher, "teacher");
        }
    }

    public static CompressionResult run(Options options) {
        Path teacherFile = options.teacher();
        RunConfig config = CompressionRuns.config(teacherFile, options.config());
        ComputationGraph teacher = ModelFiles.load(teacherFile);
        return CompressionRuns.withRun(config, "compress --teacher " + teacherFile, teacherFile, z -> {
            Teachers.check(teacher, teacherFile, z.run());
            List<Stage> stages = new ArrayList<>(z.baseline("teacher", teacher, teacherFile));
            TrainedModel student = z.run().distill("student", teacher);
            stages.addAll(z.baseline("student (distilled)", student.graph(), student.modelFile()));
            ComputationGraph last = student.graph();
            Path dir = z.run().folder().dir();
            Path output = student.modelFile();
            if (config.compress.prune != PruneMethod.NONE) {
                Compression.Pruned pruned = z.prune(last, dir.resolve("student-pruned.zip"));
                stages.addAll(pruned.stages());
                last = pruned.graph();
                output = pruned.file();
            }
            if (config.compress.quantize != QuantizeMode.NONE) {
                Compression.Quantized quantized = z.quantize(last, dir.resolve("student-compressed.zip"));
                stages.add(quantized.stage());
                output = quantized.file();
            }
            CompressionResult r = new CompressionResult(dir, output, z.metricName(), stages);
            z.run().folder().writeText("report.md", "# compress: distill -> " + config.compress.prune + " pruning -> "
                    + config.compress.quantize + " quantization\n\n" + r.table());
            return r;
        });
    }
}
