import io.distill4j.data.Task;
import io.distill4j.loss.DistillationLabels;
import io.distill4j.loss.DistillationLoss;
import io.distill4j.loss.LogitObjective;
import io.distill4j.model.Acceleration;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * What the teacher term costs: the student's training step (batch 8, synthetic data, alpha 0.5, T = 4) on class ids
 * only and on class ids with cached teacher logits, and the distillation loss alone as its output layer computes it
 * ({@link LogitObjective}: loss, gradient and batch statistics) on logits of the same shape, each way. The four
 * are taken in rounds (the order reversing every round); each is run twice in a row and the second run timed, so
 * switching between label shapes costs nothing. Prints medians and quartiles, and those of the two steps' ratio
 * within each round. README, Performance, "Fewer copies, a blocked loss, lighter recording" and "An exponential
 * the JIT vectorises".
 *
 * <pre>
 * taskset -c 1 env OMP_NUM_THREADS=1 GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296 \
 *   java -Dorg.eclipse.deeplearning4j.helpers.disable=false -cp "target/distill4j.jar:target/lib/*" \
 *   notebooks/DistillationLossBenchmark.java SIZE ROUNDS
 * </pre>
 */
public class DistillationLossBenchmark {
    public static void main(String[] args) {
        int size = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        Acceleration.ensureConfigured();
        ComputationGraph student = UNetFactory.build(
                UNetSpec.student(Task.SEGMENTATION, 3, 6, size, size).withLoss(0.5, 4, null));
        Nd4j.getRandom().setSeed(1);
        INDArray features = Nd4j.rand(DataType.FLOAT, 8, 3, size, size);
        INDArray classIds = Transforms.floor(Nd4j.rand(DataType.FLOAT, 8, 1, size, size).muli(6), false);
        DataSet plain = new DataSet(features, classIds);
        DataSet cached = new DataSet(features,
                DistillationLabels.withTeacher(classIds, Nd4j.randn(DataType.FLOAT, 8, 6, size, size)));
        INDArray logits = Nd4j.randn(DataType.FLOAT, 8, 6, size, size);
        LogitObjective objective = new LogitObjective(1.0, new DistillationLoss(0.5, 4, null), 0, 0, 1, 0, 1, 8, 4);
        String[] names = {"plain step", "cached distillation step", "loss, class ids", "loss, with teacher logits"};
        Runnable[] runs = {() -> student.fit(plain), () -> student.fit(cached),
                () -> objective.compute(logits, classIds), () -> objective.compute(logits, cached.getLabels())};
        for (int warmUp = 0; warmUp < 6; warmUp++) {
            for (Runnable run : runs) {
                run.run();
            }
        }
        DescriptiveStatistics[] millis = new DescriptiveStatistics[runs.length];
        DescriptiveStatistics pairedRatio = new DescriptiveStatistics();
        for (int i = 0; i < runs.length; i++) {
            millis[i] = new DescriptiveStatistics();
        }
        for (int round = 0; round < rounds; round++) {
            for (int j = 0; j < runs.length; j++) {
                int i = round % 2 == 0 ? j : runs.length - 1 - j;
                runs[i].run();
                long start = System.nanoTime();
                runs[i].run();
                Nd4j.getExecutioner().commit();
                millis[i].addValue((System.nanoTime() - start) / 1e6);
            }
            // the two steps of one round ran seconds apart: their ratio carries less of the VM's drift
            pairedRatio.addValue(millis[1].getElement(round) / millis[0].getElement(round));
        }
        for (int i = 0; i < runs.length; i++) {
            System.out.printf("%dx%d %-26s median %.1f ms (quartiles %.1f-%.1f)%n", size, size, names[i],
                    millis[i].getPercentile(50), millis[i].getPercentile(25), millis[i].getPercentile(75));
        }
        System.out.printf("%dx%d cached / plain step: %.2f; loss with / without teacher logits: +%.1f ms%n", size,
                size, millis[1].getPercentile(50) / millis[0].getPercentile(50),
                millis[3].getPercentile(50) - millis[2].getPercentile(50));
        System.out.printf("%dx%d cached / plain step within each round: median %.2f (quartiles %.2f-%.2f)%n", size,
                size, pairedRatio.getPercentile(50), pairedRatio.getPercentile(25), pairedRatio.getPercentile(75));
    }
}
