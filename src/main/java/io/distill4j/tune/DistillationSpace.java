package io.distill4j.tune;

import io.distill4j.config.RunConfig;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.distribution.LogUniformDistribution;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.integer.IntegerParameterSpace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Arbiter's view of the sweep: a composite {@link ParameterSpace} whose leaves are Arbiter's own continuous,
 * log-uniform, integer and fixed spaces, and whose value is a {@link DistillationCandidate}. Arbiter assigns each
 * searched leaf one position in the [0, 1] vector it generates.
 */
final class DistillationSpace implements ParameterSpace<DistillationCandidate> {

    private final Map<String, ParameterSpace<?>> spaces = new LinkedHashMap<>();
    private final ParameterSpace<Double> alpha;
    private final ParameterSpace<Double> temperature;
    private final ParameterSpace<Double> learningRate;
    private final ParameterSpace<Integer> epochs;

    DistillationSpace(RunConfig.TuneConfig tune, double defaultLearningRate, int defaultEpochs) {
        alpha = continuous(tune.alpha);
        temperature = continuous(tune.temperature);
        learningRate = tune.learningRate == null ? new FixedValue<>(defaultLearningRate) : continuous(tune.learningRate);
        epochs = tune.epochs == null ? new FixedValue<>(defaultEpochs)
                : tune.epochs.fixed() ? new FixedValue<>(tune.epochs.value.intValue())
                : new IntegerParameterSpace(tune.epochs.min.intValue(), tune.epochs.max.intValue());
        spaces.put("alpha", alpha);
        spaces.put("temperature", temperature);
        spaces.put("learningRate", learningRate);
        spaces.put("epochs", epochs);
    }

    private static ParameterSpace<Double> continuous(RunConfig.Range range) {
        if (range.fixed()) {
            return new FixedValue<>(range.value);
        }
        if (range.min.equals(range.max)) {
            return new FixedValue<>(range.min);
        }
        return range.log ? new ContinuousParameterSpace(new LogUniformDistribution(range.min, range.max))
                : new ContinuousParameterSpace(range.min, range.max);
    }

    /** Names of the searched (not fixed) values. */
    List<String> searched() {
        return spaces.entrySet().stream().filter(e -> e.getValue().numParameters() > 0).map(Map.Entry::getKey).toList();
    }

    @Override
    public DistillationCandidate getValue(double[] values) {
        return new DistillationCandidate(alpha.getValue(values), temperature.getValue(values),
                learningRate.getValue(values), epochs.getValue(values));
    }

    @Override
    public int numParameters() {
        return spaces.values().stream().mapToInt(ParameterSpace::numParameters).sum();
    }

    @Override
    public List<ParameterSpace> collectLeaves() {
        List<ParameterSpace> leaves = new ArrayList<>();
        for (ParameterSpace<?> space : spaces.values()) {
            leaves.addAll(space.collectLeaves());
        }
        return leaves;
    }

    @Override
    public Map<String, ParameterSpace> getNestedSpaces() {
        return new LinkedHashMap<>(spaces);
    }

    @Override
    public boolean isLeaf() {
        return false;
    }

    @Override
    public void setIndices(int... indices) {
        throw new UnsupportedOperationException("not a leaf: Arbiter sets the indices of its leaves");
    }
}
