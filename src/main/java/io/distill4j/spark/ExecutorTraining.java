package io.distill4j.spark;

import io.distill4j.config.RunConfig;
import io.distill4j.config.RunConfigs;
import io.distill4j.data.Dataset;
import io.distill4j.model.Acceleration;
import io.distill4j.train.ModelTraining;
import io.distill4j.train.Run;
import io.distill4j.train.RunFolder;
import io.distill4j.train.StopSignal;
import io.distill4j.train.TeacherLogits;
import io.distill4j.train.TrainedModel;
import io.distill4j.train.Trainer;
import org.apache.spark.api.java.function.Function;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * What an executor does with a {@link TrainingJob}: opens the run's data from its config, trains the model with the
 * same {@link Trainer} as a local run (from the driver's teacher tensors, never the teacher's own pass) in a scratch
 * folder, and returns the files. Deterministic given the job, so a retried task trains the same model.
 */
public final class ExecutorTraining implements Function<TrainingJob, TrainedOnExecutor> {

    /** Teacher tensors per broadcast, deserialized once per executor JVM and shared by its tasks (read-only). */
    private static final Map<String, TeacherLogits> TENSORS = new ConcurrentHashMap<>();

    @Override
    public TrainedOnExecutor call(TrainingJob job) throws Exception {
        long start = System.nanoTime();
        Acceleration.ensureConfigured();
        String host = InetAddress.getLocalHost().getHostName();
        RunConfig config = RunConfigs.fromYaml(job.config(), "the config of " + job.name());
        Dataset data;
        try {
            data = Run.openData(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the executor on " + host + " cannot open the data of " + job.name()
                    + ": " + e.getMessage() + ". Every executor reads the data itself: its paths must be readable on"
                    + " every worker (the same absolute path, or shared storage)", e);
        }
        if (!data.fingerprint().equals(job.fingerprint())) {
            throw new IllegalStateException("the executor on " + host + " reads other data than the driver for "
                    + job.name() + " (dataset fingerprint " + data.fingerprint().substring(0, 12) + " against "
                    + job.fingerprint().substring(0, 12) + "): the data paths must hold the same files on every worker");
        }
        Path scratch = Files.createTempDirectory("distill4j-" + job.name());
        try {
            Trainer trainer = new Trainer(config, data, RunFolder.create(scratch, job.name()), new StopSignal(),
                    job.entries());
            ComputationGraph teacher = null;
            if (job.teacher() != null) {
                teacher = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(job.teacher().value()),
                        false);
                ComputationGraph student = Trainer.build(Trainer.spec(config, config.student, data, true),
                        config.student);
                // broadcast ids restart with every Spark application; in local mode several may share this JVM
                String key = org.apache.spark.SparkEnv.get().conf().getAppId() + "/" + job.tensors().id();
                TeacherLogits tensors = TENSORS.computeIfAbsent(key,
                        id -> TeacherLogits.fromBytes(job.tensors().value()));
                trainer.useTeacherTensors(teacher, trainer.tapsFor(student, teacher), tensors);
                student.close();
            }
            TrainedModel model = ModelTraining.LOCAL.train(trainer, job.name(), teacher, job.epochs(), false);
            model.graph().close();
            if (teacher != null) {
                teacher.close();
            }
            Trainer.ModelFilesOf files = trainer.filesOf(job.name());
            return new TrainedOnExecutor(Files.readAllBytes(files.best()), Files.readAllBytes(files.checkpoint()),
                    Files.readAllBytes(files.history()), host, org.apache.spark.SparkEnv.get().executorId(),
                    (System.nanoTime() - start) / 1e9);
        } finally {
            delete(scratch);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the executor's scratch folder " + dir, e);
        }
    }
}
