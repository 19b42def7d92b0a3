import io.distill4j.loss.DistillationLabels;
import io.distill4j.loss.DistillationLoss;
import io.distill4j.loss.LogitObjective;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The distillation loss alone, as the output layer computes it ({@link LogitObjective}: loss, gradient and batch
 * statistics) on a benchmark batch of student logits {@code [8, 6, SIZE, SIZE]}: with class ids only (a plain
 * training step's loss) and with the teacher's logits too (a cached distillation step's), alternating, 10 calls a
 * repetition. README, Performance, "Fewer copies, a blocked loss, lighter recording".
 *
 * <pre>
 * taskset -c 1 env OMP_NUM_THREADS=1 java -cp "target/distill4j.jar:target/lib/*" \
 *   notebooks/DistillationLossBenchmark.java SIZE [TEMPERATURE] [REPETITIONS]
 * </pre>
 */
public class DistillationLossBenchmark {
    public static void main(String[] args) {
        int size = Integer.parseInt(args[0]);
        double temperature = args.length > 1 ? Double.parseDouble(args[1]) : 4;
        int repetitions = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        Nd4j.getRandom().setSeed(42);
        INDArray logits = Nd4j.randn(DataType.FLOAT, 8, 6, size, size);
        INDArray classIds = Transforms.floor(Nd4j.rand(DataType.FLOAT, 8, 1, size, size).muli(6), false);
        INDArray withTeacher = DistillationLabels.withTeacher(classIds, Nd4j.randn(DataType.FLOAT, 8, 6, size, size));
        // kd only, alpha 0.5, as the benchmark's student
        LogitObjective objective = new LogitObjective(1.0, new DistillationLoss(0.5, temperature, null), 0, 0, 1, 0,
                1, 8, 4);
        for (int rep = 0; rep < repetitions; rep++) {
            long start = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                objective.compute(logits, classIds);
            }
            long plain = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                objective.compute(logits, withTeacher);
            }
            long cached = System.nanoTime();
            System.out.printf("class ids %.1f ms, with teacher logits %.1f ms%n", (plain - start) / 1e7,
                    (cached - plain) / 1e7);
        }
    }
}
