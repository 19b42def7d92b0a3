package io.distill4j.model;

import io.distill4j.train.TinyRuns;
import io.distill4j.workflows.Distillation;
import io.distill4j.workflows.TeacherRun;
import io.distill4j.workflows.Training;
import io.distill4j.data.Task;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Keras teachers: fixtures written by src/test/resources/keras/make_fixtures.py with h5py (Debian python3-h5py, which
 * .ci/run installs), whose expected outputs are a numpy forward pass independent of DL4J.
 */
class KerasTeacherTest {

    static final int SIZE = 16;
    static final int CHANNELS = 3;
    @TempDir
    static Path fixtures;

    @BeforeAll
    static void writeFixtures() throws Exception {
        // as every distill4j run has them: the oneDNN helpers once gave these channels-last teachers garbage logits
        // (and students NaN losses), while the same tests passed in a JVM where nothing had switched them on yet
        Acceleration.ensureConfigured();
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        Path script = Path.of("src/test/resources/keras/make_fixtures.py");
        Process p = new ProcessBuilder(python, script.toString(), fixtures.toString(), String.valueOf(SIZE),
                String.valueOf(CHANNELS), "6", "5").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        int exit = p.waitFor();
        assumeTrue(exit == 0 || !out.contains("No module named 'h5py'"),
                "python3-h5py is not installed (apt-get install python3-h5py): " + out);
        assertEquals(0, exit, out);
    }

    private static INDArray values(String file, long... shape) throws IOException {
        double[] v = Files.readAllLines(fixtures.resolve(file)).stream().mapToDouble(Double::parseDouble).toArray();
        return Nd4j.create(v, shape).castTo(DataType.FLOAT);
    }

    /** The weight values the fixture script stored: Keras' {@code count_params()} for these models. */
    private static long kerasParameters(String model) throws IOException {
        return Long.parseLong(Files.readString(fixtures.resolve(model + "-params.txt")).trim());
    }

    /** The round trip's figures, on the test's output (README, "Keras teachers"). */
    private static void report(String file, KerasTeacher teacher, long keras, double error) {
        System.out.printf(java.util.Locale.ROOT, "Keras round trip: %s, %s %dx%dx%d -> %d classes, %d parameters"
                        + " (Keras %d), max error of the probabilities against numpy %.2e%n", file,
                teacher.task().name().toLowerCase(java.util.Locale.ROOT), teacher.channels(), teacher.height(),
                teacher.width(), teacher.classes(), teacher.graph().numParams(), keras, error);
    }

    private static double maxError(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    @Test
    void aFunctionalUNetImportsSplitBeforeItsSoftmaxAndMatchesNumpy() throws IOException {
        KerasTeacher unet = KerasTeacher.load(fixtures.resolve("unet.h5"));
        assertEquals(Task.SEGMENTATION, unet.task());
        assertEquals(List.of(3, 16, 16, 6), List.of(unet.channels(), unet.height(), unet.width(), unet.classes()));
        assertTrue(unet.logitsOf().startsWith("conv2d_6"), unet.logitsOf());
        INDArray x = values("input.txt", 2, CHANNELS, SIZE, SIZE);
        INDArray logits = Logits.of(unet.graph(), x);
        assertEquals(List.of(2L, 6L, 16L, 16L), List.of(logits.shape()[0], logits.shape()[1], logits.shape()[2],
                logits.shape()[3]));
        INDArray probabilities = Transforms.softmax(logits.permute(0, 2, 3, 1).reshape(-1, 6), true)
                .reshape(2, SIZE, SIZE, 6).permute(0, 3, 1, 2);
        double error = maxError(probabilities, values("unet-expected.txt", 2, 6, SIZE, SIZE));
        assertTrue(error <= 1e-5, "max error " + error);
        assertEquals(kerasParameters("unet"), unet.graph().numParams(), "the Keras model's weights, all imported");
        report("unet.h5", unet, kerasParameters("unet"), error);
        // logits, not probabilities: they do not sum to 1 per pixel
        assertTrue(maxError(logits.sum(1), Nd4j.onesLike(logits.sum(1))) > 0.1);
    }

    @Test
    void aSequentialClassifierImportsAndMatchesNumpy() throws IOException {
        KerasTeacher classifier = KerasTeacher.load(fixtures.resolve("classifier.h5"));
        assertEquals(Task.CLASSIFICATION, classifier.task());
        assertEquals(5, classifier.classes());
        INDArray x = values("input.txt", 2, CHANNELS, SIZE, SIZE);
        INDArray probabilities = Transforms.softmax(Logits.of(classifier.graph(), x), true);
        double error = maxError(probabilities, values("classifier-expected.txt", 2, 5));
        assertTrue(error <= 1e-5, "max error " + error);
        assertEquals(kerasParameters("classifier"), classifier.graph().numParams());
        report("classifier.h5", classifier, kerasParameters("classifier"), error);
    }

    @Test
    void badFilesAndMismatchesAreClearErrors(@TempDir Path dir) throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KerasTeacher.load(fixtures.resolve("unsupported.h5")));
        assertTrue(e.getMessage().contains("DL4J cannot import layer \"my_attention\" of type MyAttention"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KerasTeacher.load(fixtures.resolve("not-keras.h5")));
        assertTrue(e.getMessage().contains("is an HDF5 file but no Keras model"), e.getMessage());
        Path text = Files.writeString(dir.resolve("teacher.h5"), "not a model");
        e = assertThrows(IllegalArgumentException.class, () -> KerasTeacher.load(text));
        assertTrue(e.getMessage().contains("is not an HDF5 file"), e.getMessage());
        byte[] truncated = Files.readAllBytes(fixtures.resolve("unet.h5"));
        Path corrupt = Files.write(dir.resolve("corrupt.h5"), java.util.Arrays.copyOf(truncated, 1500));
        e = assertThrows(IllegalArgumentException.class, () -> KerasTeacher.load(corrupt));
        assertTrue(e.getMessage().contains(corrupt.toString()), e.getMessage());

        KerasTeacher unet = KerasTeacher.load(fixtures.resolve("unet.h5"));
        assertEquals(List.of(), unet.mismatches(Task.SEGMENTATION, 3, 16, 16, 6));
        List<String> problems = unet.mismatches(Task.CLASSIFICATION, 1, 28, 28, 10);
        assertEquals(List.of(
                "the teacher is a segmentation model (per-pixel output), the data is classification",
                "the teacher takes 3 input channels, the data has 1",
                "the teacher takes 16x16 images, the data's are 28x28",
                "the teacher predicts 6 classes (layer conv2d_6 (ConvolutionLayer)), the data has 10"), problems);
    }

    @Tag("e2e")
    @Test
    void kerasTeachersDistillIntoStudents(@TempDir Path dir) {
        Training.Result seg = Distillation.run(TeacherRun.of(TinyRuns.segmentation(dir), fixtures.resolve("unet.h5")));
        assertTrue(Double.isFinite(seg.model().history().get(1).trainSoftLoss()), "distillation term recorded");
        assertTrue(Files.isRegularFile(seg.runDir().resolve("student.zip")));
        // the classification config has no distillation terms: cwd needs spatial logits
        Training.Result cls = Distillation.run(TeacherRun.of(TinyRuns.classification(dir),
                fixtures.resolve("classifier.h5")));
        assertTrue(Double.isFinite(cls.model().history().get(1).trainSoftLoss()));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Distillation.run(
                TeacherRun.of(TinyRuns.classification(dir), fixtures.resolve("unet.h5"))));
        assertTrue(e.getMessage().contains("the teacher is a segmentation model (per-pixel output), the data is"
                + " classification") && e.getMessage().contains("predicts 6 classes"), e.getMessage());
    }
}
