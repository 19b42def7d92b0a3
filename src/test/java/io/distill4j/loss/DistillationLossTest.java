package io.distill4j.loss;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistillationLossTest {

    /** Row [class id, teacher logits...] as a [1, 1 + C] array. */
    private static INDArray labelRow(int classId, double... teacherLogits) {
        double[] row = new double[1 + teacherLogits.length];
        row[0] = classId;
        System.arraycopy(teacherLogits, 0, row, 1, teacherLogits.length);
        return Nd4j.create(new double[][]{row});
    }

    private static INDArray logitRow(double... logits) {
        return Nd4j.create(new double[][]{logits});
    }

    @Test
    void matchesStoredValuesForALiteralExample() {
        // z_s = [1, 2, 0.5], z_t = [3, -1, 0.25], y = 1, alpha = 0.3, T = 2.5; values worked out from the formula
        // with Python's math module: CE = 0.46436878410794485, KL = 0.3104415634375469.
        DistillationLoss.Result r = new DistillationLoss(0.3, 2.5, null)
                .compute(logitRow(1.0, 2.0, 0.5), labelRow(1, 3.0, -1.0, 0.25));
        assertEquals(1.4974924752716512, r.meanLoss(), 1e-12);
        assertArrayEquals(new double[]{-0.5422584087862408, 0.4469462141087357, 0.0953121946775056},
                r.gradient().toDoubleVector(), 1e-12);
    }

    @Test
    void matchesAStraightforwardImplementationOnRandomRows() {
        Random random = new Random(7);
        int rows = 17;
        int classes = 5;
        double alpha = 0.4;
        double t = 3.0;
        int ignore = 2;
        double[][] student = new double[rows][classes];
        double[][] labels = new double[rows][1 + classes];
        for (int i = 0; i < rows; i++) {
            labels[i][0] = random.nextInt(classes);
            for (int c = 0; c < classes; c++) {
                student[i][c] = random.nextGaussian() * 3;
                labels[i][1 + c] = random.nextGaussian() * 3;
            }
        }
        DistillationLoss.Result r = new DistillationLoss(alpha, t, ignore)
                .compute(Nd4j.create(student), Nd4j.create(labels));

        double total = 0;
        double hard = 0;
        double soft = 0;
        int correct = 0;
        int counted = 0;
        double[][] gradient = r.gradient().toDoubleMatrix();
        for (int i = 0; i < rows; i++) {
            int y = (int) labels[i][0];
            double[] teacher = java.util.Arrays.copyOfRange(labels[i], 1, 1 + classes);
            double[] p = softmax(student[i], 1);
            double[] pt = softmax(teacher, t);
            double[] pst = softmax(student[i], t);
            if (y == ignore) {
                assertArrayEquals(new double[classes], gradient[i], 0.0, "ignored row must have no gradient");
                continue;
            }
            double kl = 0;
            for (int c = 0; c < classes; c++) {
                kl += pt[c] * Math.log(pt[c] / pst[c]);
            }
            total += alpha * -Math.log(p[y]) + (1 - alpha) * t * t * kl;
            hard += -Math.log(p[y]);
            soft += t * t * kl;
            int argMax = 0;
            for (int c = 1; c < classes; c++) {
                argMax = student[i][c] > student[i][argMax] ? c : argMax;
            }
            correct += argMax == y ? 1 : 0;
            counted++;
            for (int c = 0; c < classes; c++) {
                double expected = alpha * (p[c] - (c == y ? 1 : 0)) + (1 - alpha) * t * (pst[c] - pt[c]);
                assertEquals(expected, gradient[i][c], 1e-10);
            }
        }
        assertEquals(counted, r.validCount());
        assertEquals(total / counted, r.meanLoss(), 1e-10);
        assertEquals(hard, r.hardLossSum(), 1e-9);
        assertEquals(soft, r.softLossSum(), 1e-9);
        assertEquals(correct, r.correct());
    }

    private static double[] softmax(double[] logits, double t) {
        double max = java.util.Arrays.stream(logits).max().orElseThrow();
        double[] e = java.util.Arrays.stream(logits).map(v -> Math.exp((v - max) / t)).toArray();
        double sum = java.util.Arrays.stream(e).sum();
        return java.util.Arrays.stream(e).map(v -> v / sum).toArray();
    }

    @Test
    void integerTemperaturesTakeTheSoftmaxByPowersAndAgreeWithTheExpPath() {
        // T = 2 and 4 derive softmax(z) from softmax(z / T); a hair off the integer takes exp for both. Logits up to
        // ±400 make the powers underflow, which the logs must survive.
        Random random = new Random(11);
        for (double t : new double[] {2.0, 4.0}) {
            double[][] student = new double[30][4];
            double[][] labels = new double[30][5];
            for (int i = 0; i < 30; i++) {
                labels[i][0] = random.nextInt(4);
                double scale = i < 10 ? 400 : 3;
                for (int c = 0; c < 4; c++) {
                    student[i][c] = random.nextGaussian() * scale;
                    labels[i][1 + c] = random.nextGaussian() * 3;
                }
            }
            DistillationLoss.Result powers = new DistillationLoss(0.5, t, null).compute(Nd4j.create(student), Nd4j.create(labels));
            DistillationLoss.Result exps = new DistillationLoss(0.5, t * (1 + 1e-13), null)
                    .compute(Nd4j.create(student), Nd4j.create(labels));
            assertTrue(Double.isFinite(powers.meanLoss()));
            assertEquals(exps.meanLoss(), powers.meanLoss(), 1e-9 * Math.abs(exps.meanLoss()));
            assertTrue(exps.gradient().equalsWithEps(powers.gradient(), 1e-9));
            assertTrue(exps.rowLoss().equalsWithEps(powers.rowLoss(), 1e-9 * exps.rowLoss().amaxNumber().doubleValue()));
        }
    }

    @Test
    void alphaOneIsSparseCrossEntropy() {
        INDArray student = Nd4j.rand(DataType.DOUBLE, 6, 4).muli(4).subi(2);
        INDArray ids = Nd4j.create(new double[]{0, 3, 1, 2, 2, 0}).reshape(6, 1);
        INDArray teacher = Nd4j.rand(DataType.DOUBLE, 6, 4).muli(5);
        double expected = new LossSparseMCXENT().computeScore(ids, student.dup(), new ActivationSoftmax(), null, true);
        assertEquals(expected, new DistillationLoss(1.0, 4.0, null).compute(student, ids).meanLoss(), 1e-10);
        // with teacher logits present, alpha = 1 ignores them
        INDArray withTeacher = Nd4j.concat(1, ids, teacher);
        assertEquals(expected, new DistillationLoss(1.0, 4.0, null).compute(student, withTeacher).meanLoss(), 1e-10);
    }

    @Test
    void softTermCarriesTheTemperatureSquaredFactor() {
        double[] zs = {0.2, -1.0, 1.5};
        double[] zt = {2.0, 0.0, -0.5};
        for (double t : new double[]{1.0, 2.0, 4.0}) {
            double[] pt = softmax(zt, t);
            double[] ps = softmax(zs, t);
            double kl = 0;
            for (int c = 0; c < 3; c++) {
                kl += pt[c] * Math.log(pt[c] / ps[c]);
            }
            double loss = new DistillationLoss(0.0, t, null).compute(logitRow(zs), labelRow(0, zt)).meanLoss();
            assertEquals(t * t * kl, loss, 1e-12, "alpha = 0 must give T^2 * KL at T = " + t);
        }
    }

    @Test
    void swappingTeacherAndStudentChangesTheLoss() {
        double[] a = {0.2, -1.0, 1.5};
        double[] b = {2.0, 0.0, -0.5};
        DistillationLoss loss = new DistillationLoss(0.5, 2.0, null);
        double right = loss.compute(logitRow(a), labelRow(1, b)).meanLoss();
        double swapped = loss.compute(logitRow(b), labelRow(1, a)).meanLoss();
        assertNotEquals(right, swapped, 1e-3);
        // and the gradient pulls the student towards the teacher: z_s moves along -grad
        INDArray grad = new DistillationLoss(0.0, 2.0, null).compute(logitRow(a), labelRow(1, b)).gradient();
        double[] moved = logitRow(a).sub(grad.mul(0.5)).toDoubleVector();
        double before = new DistillationLoss(0.0, 2.0, null).compute(logitRow(a), labelRow(1, b)).meanLoss();
        double after = new DistillationLoss(0.0, 2.0, null).compute(logitRow(moved), labelRow(1, b)).meanLoss();
        assertTrue(after < before, "a gradient step must reduce the distillation loss");
    }

    @Test
    void rejectsInvalidSettingsAndLabelsNamingTheValue() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(1.5, 1, null))
                .getMessage().contains("1.5"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(-0.1, 1, null))
                .getMessage().contains("-0.1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(0.5, 0, null))
                .getMessage().contains("0.0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(0.5, -2, null))
                .getMessage().contains("-2"));
        DistillationLoss loss = new DistillationLoss(0.5, 2, null);
        String outOfRange = assertThrows(IllegalArgumentException.class,
                () -> loss.compute(logitRow(1, 2, 3), labelRow(3, 0, 0, 0))).getMessage();
        assertTrue(outOfRange.contains("class id 3.0"), outOfRange);
        String fractional = assertThrows(IllegalArgumentException.class,
                () -> loss.compute(logitRow(1, 2, 3), Nd4j.create(new double[][]{{1.5}}))).getMessage();
        assertTrue(fractional.contains("1.5"), fractional);
        String wrongTeacher = assertThrows(IllegalArgumentException.class,
                () -> loss.compute(logitRow(1, 2, 3), labelRow(0, 1, 2, 3, 4))).getMessage();
        assertTrue(wrongTeacher.contains("the teacher gives 4 classes, the student 3"), wrongTeacher);
        // the ignore index is accepted even when it is not a class of the network (e.g. 255)
        DistillationLoss.Result r = new DistillationLoss(0.5, 2, 255).compute(logitRow(1, 2, 3), labelRow(255, 0, 0, 0));
        assertEquals(0, r.validCount());
        assertEquals(0.0, r.meanLoss());
    }

    /**
     * NCHW input is computed in place; it must equal the loss on rows of the permuted arrays, pixel for pixel. 2700
     * pixels: the loss splits them into parts of 1024 rows, so parts begin in the middle of an example.
     */
    @Test
    void imageLayoutEqualsRowsOfThePermutedArrays() {
        Nd4j.getRandom().setSeed(3);
        INDArray logits = Nd4j.randn(DataType.DOUBLE, 3, 4, 30, 30).muli(3);
        INDArray ids = org.nd4j.linalg.ops.transforms.Transforms.floor(Nd4j.rand(DataType.DOUBLE, 3, 1, 30, 30).muli(4), false);
        ids.putScalar(new long[]{1, 0, 2, 4}, 2); // the ignore index
        INDArray labels = DistillationLabels.withTeacher(ids, Nd4j.randn(DataType.DOUBLE, 3, 4, 30, 30));
        DistillationLoss loss = new DistillationLoss(0.3, 2.5, 2);
        DistillationLoss.Result image = loss.compute(logits, labels);
        DistillationLoss.Result rows = loss.compute(asRows(logits), asRows(labels));
        assertArrayEquals(rows.rowLoss().toDoubleVector(), image.rowLoss().toDoubleVector(), 1e-12);
        assertArrayEquals(rows.validRows().toDoubleVector(), image.validRows().toDoubleVector(), 0);
        assertArrayEquals(asRows(image.gradient()).data().asDouble(), rows.gradient().dup('c').data().asDouble(), 1e-12);
        assertEquals(rows.validCount(), image.validCount());
        assertEquals(rows.correct(), image.correct());
        assertEquals(rows.softLossSum(), image.softLossSum(), 1e-9);
        assertTrue(image.validCount() < 2700);
    }

    /**
     * Float logits take {@link ShiftedExp}, double logits Math.exp; on the same values the losses, which are summed in
     * double either way, agree to 1e-12 and the gradients to float's rounding.
     */
    @Test
    void floatArraysAgreeWithDoubleArraysOnTheSameValues() {
        Nd4j.getRandom().setSeed(11);
        INDArray logits = Nd4j.randn(DataType.FLOAT, 2, 5, 9, 13).muli(4);
        INDArray ids = Transforms.floor(Nd4j.rand(DataType.FLOAT, 2, 1, 9, 13).muli(5), false);
        INDArray labels = DistillationLabels.withTeacher(ids, Nd4j.randn(DataType.FLOAT, 2, 5, 9, 13).muli(4));
        for (double t : new double[]{1.0, 2.5, 4.0}) {
            DistillationLoss loss = new DistillationLoss(0.3, t, null);
            DistillationLoss.Result inFloat = loss.compute(logits, labels);
            DistillationLoss.Result inDouble = loss.compute(logits.castTo(DataType.DOUBLE), labels.castTo(DataType.DOUBLE));
            assertEquals(inDouble.meanLoss(), inFloat.meanLoss(), 1e-12 * inDouble.meanLoss(), "T = " + t);
            assertEquals(inDouble.softLossSum(), inFloat.softLossSum(), 1e-12 * inDouble.softLossSum(), "T = " + t);
            assertEquals(inDouble.correct(), inFloat.correct());
            assertArrayEquals(inDouble.gradient().data().asDouble(), inFloat.gradient().data().asDouble(), 1e-6);
        }
    }

    /**
     * The output layer's probabilities: a softmax over dimension 1 of rank-2 and rank-4 logits, in float and double,
     * equal to ND4J's row softmax of the permuted logits, without overflow for large logits.
     */
    @Test
    void softmaxOverClassesIsTheRowSoftmaxOfEachPixel() {
        Nd4j.getRandom().setSeed(5);
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            INDArray image = Nd4j.randn(type, 3, 4, 7, 150).muli(6);
            image.putScalar(new long[]{1, 2, 3, 4}, 800.0); // e^800 overflows without the shift
            INDArray probabilities = DistillationLoss.softmaxOverClasses(image);
            assertEquals(type, probabilities.dataType());
            assertArrayEquals(image.shape(), probabilities.shape());
            INDArray expected = Transforms.softmax(asRows(image.castTo(DataType.DOUBLE)), true);
            assertArrayEquals(expected.data().asDouble(), asRows(probabilities.castTo(DataType.DOUBLE)).data().asDouble(),
                    type == DataType.FLOAT ? 1e-6 : 1e-14, type.toString());
            INDArray rows = Nd4j.randn(type, 5, 9).muli(6);
            assertArrayEquals(Transforms.softmax(rows.castTo(DataType.DOUBLE), true).data().asDouble(),
                    DistillationLoss.softmaxOverClasses(rows).castTo(DataType.DOUBLE).data().asDouble(),
                    type == DataType.FLOAT ? 1e-6 : 1e-14, type.toString());
        }
    }

    /** The arg-max is the first class with the largest logit, as DL4J's and NumPy's. */
    @Test
    void aTiedLargestLogitCountsAsTheFirstClassOfIt() {
        INDArray logits = Nd4j.create(new float[][]{{2f, 2f, 1f}, {2f, 2f, 1f}, {0f, 3f, 3f}});
        INDArray ids = Nd4j.create(new float[][]{{0f}, {1f}, {1f}});
        assertEquals(2, new DistillationLoss(1.0, 1.0, null).compute(logits, ids).correct());
    }

    /** Half precision cannot count past 2048 in steps of one; the loss counts in double whatever the type. */
    @Test
    void halfPrecisionNetworksCountEveryPixel() {
        INDArray logits = Nd4j.randn(DataType.FLOAT, 1, 3, 64, 64).castTo(DataType.HALF);
        INDArray ids = Nd4j.zeros(DataType.HALF, 1, 1, 64, 64).addi(1);
        DistillationLoss.Result r = new DistillationLoss(1.0, 1.0, null).compute(logits, ids);
        assertEquals(4096, r.validCount());
        assertEquals(DataType.HALF, r.gradient().dataType());
        double inFloat = new DistillationLoss(1.0, 1.0, null).compute(logits.castTo(DataType.FLOAT),
                ids.castTo(DataType.FLOAT)).meanLoss();
        assertEquals(inFloat, r.meanLoss(), 1e-3, "the mean is summed in double, not in float16");
    }

    /**
     * The training path sums each example's rows as it goes (no per-row arrays): its per-example scores are the means
     * of {@link DistillationLoss#compute}'s row losses over each example's counted pixels, 0 for an example whose
     * pixels are all ignored. The rows are split into parts that begin inside examples.
     */
    @Test
    void perExampleScoresAreEachExamplesMeanOverItsCountedPixels() {
        Nd4j.getRandom().setSeed(13);
        INDArray logits = Nd4j.randn(DataType.FLOAT, 3, 4, 30, 30).muli(3);
        INDArray ids = Transforms.floor(Nd4j.rand(DataType.FLOAT, 3, 1, 30, 30).muli(4), false);
        ids.get(NDArrayIndex.point(2)).assign(2); // example 2: every pixel ignored
        INDArray labels = DistillationLabels.withTeacher(ids, Nd4j.randn(DataType.FLOAT, 3, 4, 30, 30));
        DistillationLoss loss = new DistillationLoss(0.3, 2.5, 2);
        double[] rowLoss = loss.compute(logits, labels).rowLoss().toDoubleVector();
        double[] valid = loss.compute(logits, labels).validRows().toDoubleVector();
        double[] perExample = new LogitObjective(0.7, loss, 0, 0, 1, 0, 1, 8, 4).compute(logits, labels).perExample();
        for (int e = 0; e < 3; e++) {
            double sum = 0;
            double count = 0;
            for (int r = e * 900; r < (e + 1) * 900; r++) {
                sum += rowLoss[r];
                count += valid[r];
            }
            // compute's row losses are rounded to the logits' float; the objective sums them in double
            assertEquals(count == 0 ? 0 : 0.7 * sum / count, perExample[e], 1e-7 * perExample[0], "example " + e);
        }
        assertEquals(0.0, perExample[2]);
    }

    /**
     * The sums take one log per group of rows (a product of the rows' softmax denominators), the per-row losses one
     * log each: they agree, with 300 classes (a shorter group, so the products stay in range) and with the student's
     * logits nearly equal (denominators near C) or far apart (near 1) against a teacher's far apart.
     */
    @Test
    void sumsByGroupedLogsEqualTheSumOfTheRowLosses() {
        Nd4j.getRandom().setSeed(19);
        for (int classes : new int[]{3, 300}) {
            for (double scale : new double[]{0.01, 1.0, 40.0}) {
                INDArray logits = Nd4j.randn(DataType.DOUBLE, 2, classes, 20, 35).muli(scale);
                INDArray ids = Transforms.floor(Nd4j.rand(DataType.DOUBLE, 2, 1, 20, 35).muli(classes), false);
                INDArray labels = DistillationLabels.withTeacher(ids,
                        Nd4j.randn(DataType.DOUBLE, 2, classes, 20, 35).muli(40));
                DistillationLoss.Result r = new DistillationLoss(0.4, 3, null).compute(logits, labels);
                double rowSum = r.rowLoss().sumNumber().doubleValue();
                String what = classes + " classes, scale " + scale;
                assertEquals(rowSum, r.lossSum(), 1e-12 * Math.abs(rowSum), what);
                assertTrue(Double.isFinite(r.softLossSum()) && r.softLossSum() > 0, what);
                assertEquals(1400, r.validCount(), what);
            }
        }
    }

    /**
     * Float logits and labels are read where they lie and the gradient written into a new array, through a float
     * scratch each thread reuses: the same call gives the same bits before and after calls with other class counts,
     * sizes and precisions, and logits given as a view (offset into a larger array, or strided) give what a copy gives.
     */
    @Test
    void reusedScratchAndViewsGiveTheSameBits() {
        Nd4j.getRandom().setSeed(17);
        INDArray batch = Nd4j.randn(DataType.FLOAT, 4, 5, 20, 20).muli(3);
        INDArray logits = batch.get(NDArrayIndex.interval(1, 3)); // contiguous, at an offset
        INDArray ids = Transforms.floor(Nd4j.rand(DataType.FLOAT, 2, 1, 20, 20).muli(5), false);
        INDArray labels = DistillationLabels.withTeacher(ids, Nd4j.randn(DataType.FLOAT, 2, 5, 20, 20));
        DistillationLoss loss = new DistillationLoss(0.5, 4, null);
        DistillationLoss.Result first = loss.compute(logits, labels);
        loss.compute(Nd4j.randn(DataType.FLOAT, 1, 9, 3, 7), Nd4j.zeros(DataType.FLOAT, 1, 1, 3, 7));
        loss.compute(Nd4j.randn(DataType.DOUBLE, 2, 5, 40, 40), Nd4j.zeros(DataType.DOUBLE, 2, 1, 40, 40));
        loss.compute(Nd4j.randn(DataType.FLOAT, 3, 5), Nd4j.zeros(DataType.FLOAT, 3, 1));
        DistillationLoss.Result again = loss.compute(logits, labels);
        DistillationLoss.Result copy = loss.compute(logits.dup('c'), labels);
        DistillationLoss.Result strided = loss.compute(logits.dup('f'), labels.permute(0, 1, 3, 2).dup('c')
                .permute(0, 1, 3, 2));
        for (DistillationLoss.Result r : new DistillationLoss.Result[]{again, copy, strided}) {
            assertEquals(first.lossSum(), r.lossSum());
            assertArrayEquals(first.gradient().dup('c').data().asFloat(), r.gradient().dup('c').data().asFloat());
            assertArrayEquals(first.rowLoss().toDoubleVector(), r.rowLoss().toDoubleVector());
        }
        assertArrayEquals(new long[]{2, 5, 20, 20}, first.gradient().shape());
    }

    private static INDArray asRows(INDArray nchw) {
        return nchw.permute(0, 2, 3, 1).dup('c').reshape(nchw.size(0) * nchw.size(2) * nchw.size(3), nchw.size(1));
    }

    /** Without teacher logits the loss is plain cross-entropy whatever alpha a distilled student's layer carries. */
    @Test
    void classIdsAloneArePlainCrossEntropyWhateverAlpha() {
        INDArray logits = logitRow(0.2, -1.0, 2.0);
        INDArray ids = Nd4j.create(new double[][]{{2}});
        DistillationLoss.Result plain = new DistillationLoss(1.0, 1.0, null).compute(logits, ids);
        DistillationLoss.Result distilled = new DistillationLoss(0.1, 4.0, null).compute(logits, ids);
        assertEquals(plain.meanLoss(), distilled.meanLoss(), 1e-12);
        assertArrayEquals(plain.gradient().toDoubleVector(), distilled.gradient().toDoubleVector(), 1e-12);
    }
}
