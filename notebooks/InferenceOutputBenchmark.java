import io.distill4j.data.Task;
import io.distill4j.model.Acceleration;
import io.distill4j.model.SingleForwardConvolution2D;
import io.distill4j.model.UNetFactory;
import io.distill4j.model.UNetSpec;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.adapters.OutputAdapter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the form of DL4J's {@code output} costs the student's inference: {@code output(false, x)} (a fresh detached
 * result each call, freed when the garbage collector finds it), the same with the result closed at once, and the
 * {@code OutputAdapter} form that distill4j's benchmark, {@code InferenceTimer} and {@code Metrics} use (computed into
 * a workspace reused from call to call). A batch of 8 at SIZE², the four forms in rotating order for ROUNDS rounds of
 * 3 calls after a warm-up; prints each form's median milliseconds a call, its page faults a call (minor faults of
 * the process, /proc/self/stat) and the process's peak resident memory. README, Performance, "Channels-last between a
 * block's convolutions".
 *
 * <pre>
 * taskset -c 1 env OMP_NUM_THREADS=1 GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296 \
 *   java -Dorg.eclipse.deeplearning4j.helpers.disable=false -cp "target/distill4j.jar:target/lib/*" \
 *   notebooks/InferenceOutputBenchmark.java SIZE ROUNDS
 * </pre>
 */
public class InferenceOutputBenchmark {
    private static long minorFaults() throws Exception {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[7]);
    }

    public static void main(String[] args) throws Exception {
        int size = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        Acceleration.ensureConfigured();
        ComputationGraph student = UNetFactory.build(UNetSpec.student(Task.SEGMENTATION, 3, 6, size, size));
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 3, size, size);
        List<SingleForwardConvolution2D> handingOn = new ArrayList<>();
        for (var layer : student.getLayers()) {
            if (layer.conf().getLayer() instanceof SingleForwardConvolution2D conv && conv.isChannelsLastOutput()) {
                handingOn.add(conv);
            }
        }
        Runnable adapter = () -> student.output(new INDArray[]{x}, null, null, (OutputAdapter<Void>) outputs -> null);
        String[] names = {"output(false, x)", "output(false, x), closed", "OutputAdapter",
                "OutputAdapter, all NCHW"};
        Runnable[] forms = {
                () -> student.output(false, x),
                () -> student.output(false, x)[0].close(),
                adapter,
                () -> { // the convolutions hand nothing on channels-last (as before 2026-12-03, evening)
                    handingOn.forEach(conv -> conv.channelsLastOutput(false));
                    adapter.run();
                    handingOn.forEach(conv -> conv.channelsLastOutput(true));
                },
        };
        for (int warmUp = 0; warmUp < 10; warmUp++) {
            for (Runnable form : forms) {
                form.run();
            }
        }
        DescriptiveStatistics[] millis = new DescriptiveStatistics[forms.length];
        long[] faults = new long[forms.length];
        for (int i = 0; i < forms.length; i++) {
            millis[i] = new DescriptiveStatistics();
        }
        for (int r = 0; r < rounds; r++) {
            for (int j = 0; j < forms.length; j++) {
                int i = (r + j) % forms.length;
                long faultsBefore = minorFaults();
                long start = System.nanoTime();
                for (int call = 0; call < 3; call++) {
                    forms[i].run();
                }
                millis[i].addValue((System.nanoTime() - start) / 3e6);
                faults[i] += minorFaults() - faultsBefore;
            }
        }
        for (int i = 0; i < forms.length; i++) {
            System.out.printf("%dx%d %-26s median %.1f ms a batch of 8 (quartiles %.1f-%.1f), %.0f page faults a call%n",
                    size, size, names[i], millis[i].getPercentile(50), millis[i].getPercentile(25),
                    millis[i].getPercentile(75), faults[i] / (3.0 * rounds));
        }
        Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM"))
                .forEach(l -> System.out.println("peak resident memory " + l.replaceAll("\\s+", " ")));
    }
}
