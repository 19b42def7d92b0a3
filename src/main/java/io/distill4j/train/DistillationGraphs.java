package io.distill4j.train;

import io.distill4j.loss.DistillationOutputLayer;
import io.distill4j.loss.DistillationTerm;
import io.distill4j.loss.FeatureDistillationLayer;
import io.distill4j.loss.FeatureLoss;
import io.distill4j.model.UNetFactory;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns a student into the graph it trains with under a list of {@link DistillationTerm}s, and back. Logit terms
 * configure the student's {@link DistillationOutputLayer}; each feature term adds a training-only branch on a level:
 * {@code level → [1×1 adapter →] FeatureDistillationLayer} as an extra network output, whose labels are the teacher's
 * tensor at the same level ({@link FeatureTap}). {@link #forInference} removes the branches again, so the saved student
 * is exactly the network that was built.
 *
 * <p>Levels are U-Net block outputs: {@code encK} is {@code encK_conv2}, {@code decK} is {@code decK_conv2}. The U-Nets
 * align level by level (same spatial size at every level for the same input), so only channels may differ.
 */
public final class DistillationGraphs {

    /** Vertices added for training start with this. */
    static final String PREFIX = "fd_";

    private DistillationGraphs() {
    }

    /**
     * A teacher tensor a feature branch needs: the teacher's activation at {@code teacherVertex}, as it is or as its
     * attention map ({@code attentionP} > 0), as the labels of the network output {@code output}.
     */
    public record FeatureTap(String output, String teacherVertex, double attentionP) {
        public boolean attention() {
            return attentionP > 0;
        }
    }

    /** The graph a student trains with and the teacher tensors its extra outputs take, in output order. */
    public record TrainingGraph(ComputationGraph graph, List<FeatureTap> taps) {
    }

    /** The student's levels that a feature term can name: its block outputs, shallow to deep. */
    public static List<String> levels(ComputationGraph graph) {
        List<String> levels = new ArrayList<>();
        for (GraphVertex v : graph.getVertices()) {
            String name = v.getVertexName();
            if (name.matches("(enc|dec)\\d+_conv2")) {
                levels.add(name.substring(0, name.length() - "_conv2".length()));
            }
        }
        return levels;
    }

    /**
     * The training graph for {@code terms}: sets the logit terms on the student's output layer (in place) and adds a
     * branch per feature term. Without feature terms the student itself is returned.
     *
     * @throws IllegalArgumentException for a level that either network lacks (both are named, with the valid ones)
     */
    public static TrainingGraph forTraining(ComputationGraph student, ComputationGraph teacher,
                                            List<? extends DistillationTerm> terms) {
        List<DistillationTerm> logitTerms = terms.stream().filter(DistillationTerm::onLogits)
                .map(t -> (DistillationTerm) t).toList();
        outputLayer(student).setTerms(logitTerms.isEmpty() ? List.of() : logitTerms);
        List<DistillationTerm> featureTerms = terms.stream().filter(t -> !t.onLogits())
                .map(t -> (DistillationTerm) t).toList();
        if (featureTerms.isEmpty()) {
            return new TrainingGraph(student, List.of());
        }
        List<String> studentLevels = levels(student);
        List<String> teacherLevels = levels(teacher);
        TransferLearning.GraphBuilder builder = new TransferLearning.GraphBuilder(student);
        List<String> outputs = new ArrayList<>(List.of(UNetFactory.OUTPUT));
        List<FeatureTap> taps = new ArrayList<>();
        for (DistillationTerm term : featureTerms) {
            for (String level : termLevels(term, studentLevels)) {
                check(term, level, studentLevels, teacherLevels);
                String studentVertex = level + "_conv2";
                String output = PREFIX + term.type() + "_" + level;
                if (outputs.contains(output)) {
                    throw new IllegalArgumentException(term.type() + " on level " + level + " is given twice");
                }
                FeatureDistillationLayer.Builder loss = new FeatureDistillationLayer.Builder().weight(term.weight());
                String lossInput = studentVertex;
                if (term instanceof DistillationTerm.At at) {
                    loss.kind(FeatureLoss.ATTENTION).p(at.p());
                    taps.add(new FeatureTap(output, studentVertex, at.p()));
                } else {
                    loss.kind(term instanceof DistillationTerm.Cwd ? FeatureLoss.CHANNEL_WISE : FeatureLoss.MSE);
                    if (term instanceof DistillationTerm.Cwd cwd) {
                        loss.tau(cwd.tau());
                    }
                    // a 1×1 convolution maps the student's channels to the teacher's (FitNets' regressor)
                    lossInput = output + "_adapter";
                    builder.addLayer(lossInput, new ConvolutionLayer.Builder(1, 1)
                            .nIn(channels(student, studentVertex)).nOut(channels(teacher, studentVertex))
                            .activation(Activation.IDENTITY).weightInit(WeightInit.XAVIER)
                            // trained like the layer it reads from
                            .updater(((org.deeplearning4j.nn.conf.layers.BaseLayer) student.getLayer(studentVertex)
                                    .conf().getLayer()).getIUpdater())
                            .build(), studentVertex);
                    taps.add(new FeatureTap(output, studentVertex, 0));
                }
                builder.addLayer(output, loss.build(), lossInput);
                outputs.add(output);
            }
        }
        builder.setOutputs(outputs.toArray(new String[0]));
        return new TrainingGraph(builder.build(), taps);
    }

    /** The student without its training-only branches (the graph itself when it has none). */
    public static ComputationGraph forInference(ComputationGraph training) {
        List<String> extra = new ArrayList<>();
        for (GraphVertex v : training.getVertices()) {
            if (v.getVertexName().startsWith(PREFIX)) {
                extra.add(v.getVertexName());
            }
        }
        if (extra.isEmpty()) {
            return training;
        }
        TransferLearning.GraphBuilder builder = new TransferLearning.GraphBuilder(training);
        for (String name : extra) {
            builder.removeVertexAndConnections(name);
        }
        builder.setOutputs(UNetFactory.OUTPUT);
        ComputationGraph inference = builder.build();
        // TransferLearning copies parameters by position, which removing vertices shifts: copy them by name
        inference.paramTable().forEach((name, array) -> array.assign(training.getParam(name)));
        return inference;
    }

    static DistillationOutputLayer outputLayer(ComputationGraph graph) {
        GraphVertex output = graph.getVertex(UNetFactory.OUTPUT);
        if (output == null || !output.hasLayer()
                || !(output.getLayer().conf().getLayer() instanceof DistillationOutputLayer layer)) {
            throw new IllegalArgumentException("the student has no DistillationOutputLayer named \""
                    + UNetFactory.OUTPUT + "\" on its logits");
        }
        return layer;
    }

    private static List<String> termLevels(DistillationTerm term, List<String> studentLevels) {
        if (term instanceof DistillationTerm.At at) {
            if (at.levels() != null) {
                return at.levels();
            }
            return studentLevels.stream().filter(l -> l.startsWith("enc")).toList();
        }
        if (term instanceof DistillationTerm.Hint hint) {
            return List.of(hint.level());
        }
        return List.of(((DistillationTerm.Cwd) term).level());
    }

    private static void check(DistillationTerm term, String level, List<String> studentLevels,
                              List<String> teacherLevels) {
        boolean inStudent = studentLevels.contains(level);
        boolean inTeacher = teacherLevels.contains(level);
        if (!inStudent || !inTeacher) {
            Set<String> both = new LinkedHashSet<>(studentLevels);
            both.retainAll(teacherLevels);
            throw new IllegalArgumentException(term.type() + ": level '" + level + "' does not exist in the "
                    + (!inStudent && !inTeacher ? "student or the teacher" : !inStudent ? "student" : "teacher")
                    + "; valid levels (in both): " + String.join(", ", both));
        }
    }

    private static long channels(ComputationGraph graph, String vertex) {
        return ((FeedForwardLayer) graph.getLayer(vertex).conf().getLayer()).getNOut();
    }
}
