package io.distill4j.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.distill4j.data.DatasetSpec;

import java.util.List;

/**
 * One run, as one YAML file describes it (torchdistill's shape): the data, the teacher and student networks, the
 * distillation loss, the optimizer, the training budget and where results go. Plain public fields bound by Jackson;
 * unknown keys are errors (see {@link RunConfigs}). Every field can be overridden from the command line with
 * {@code --set path.to.field=value}.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public class RunConfig {

    /** Names the run folder ({@code runs/<timestamp>-<name>}) and the promoted models. */
    public String name = "run";
    /** Seed for weight initialisation, shuffling and synthetic data (unless the data section sets its own). */
    public long seed = 42;
    public DatasetSpec data = new DatasetSpec.LandCover();
    public NetworkConfig teacher = NetworkConfig.teacher();
    public NetworkConfig student = NetworkConfig.student();
    public DistillationConfig distillation = new DistillationConfig();
    public OptimizerConfig optimizer = new OptimizerConfig();
    public TrainingConfig training = new TrainingConfig();
    public OutputConfig output = new OutputConfig();
    public TuneConfig tune = new TuneConfig();
    public CompressConfig compress = new CompressConfig();
    public SearchConfig search = new SearchConfig();

    /**
     * A network: a U-Net ({@code filters}, or a generalised {@code architecture}; see {@code UNetSpec}) or, for
     * classification, a ResNet ({@code resnet}).
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public static class NetworkConfig {
        /** Filters per encoder block, shallow to deep (U-Nets; left out for a ResNet). */
        public List<Integer> filters;
        /** Dropout rate per encoder block (Keras meaning: fraction dropped); null = the seed model's. */
        public List<Double> encoderDropout;
        /** Dropout rate per decoder block, deep to shallow; null = the seed model's. */
        public List<Double> decoderDropout;
        /** Epochs for this network; null = {@code training.epochs}. */
        public Integer epochs;
        /**
         * A generalised U-Net (per-level widths, removed convolutions, e.g. one found by {@code distill4j search});
         * when set, {@code filters} may be left out (it becomes each level's conv1 width) and the dropout lists are
         * not used (the architecture has its own rates).
         */
        public io.distill4j.model.UNetArchitecture architecture;
        /**
         * A ResNet classifier instead of a U-Net, e.g. {@code {depth: resnet18, width: 0.25, stem: small}} (see
         * {@link io.distill4j.model.ResNetArchitecture}); {@code filters}, the dropout lists and {@code architecture}
         * are then left out.
         */
        public io.distill4j.model.ResNetArchitecture resnet;

        public static NetworkConfig teacher() {
            NetworkConfig c = new NetworkConfig();
            c.filters = List.of(16, 32, 64, 128, 256);
            return c;
        }

        public static NetworkConfig student() {
            NetworkConfig c = new NetworkConfig();
            c.filters = List.of(4, 8, 16, 32, 64);
            return c;
        }
    }

    /**
     * The student's distillation objective: a list of weighted {@code terms} (torchdistill-style, see
     * {@link io.distill4j.loss.DistillationTerm}), or, when no terms are given, the single kd term
     * {@code alpha * CE + (1 - alpha) * T^2 * KL} from {@code alpha} and {@code temperature}.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public static class DistillationConfig {
        /** Weight of the hard-label cross-entropy; 1 = no distillation. */
        public double alpha = 0.1;
        public double temperature = 4.0;
        /** The objective's terms, e.g. {@code [{type: kd, alpha: 0.5, temperature: 2}, {type: cwd, weight: 3}]}. */
        public List<io.distill4j.loss.DistillationTerm> terms;

        /** The terms in force: {@code terms}, or kd from alpha and temperature. */
        public List<io.distill4j.loss.DistillationTerm> resolvedTerms() {
            return terms != null && !terms.isEmpty() ? terms
                    : List.of(new io.distill4j.loss.DistillationTerm.Kd(1, alpha, temperature));
        }
        /**
         * Compute the teacher's logits for the training split once and reuse them every epoch (only possible
         * without augmentation, which would change the inputs each epoch).
         */
        public boolean cacheTeacherLogits = true;
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    public static class OptimizerConfig {
        public OptimizerType type = OptimizerType.ADAM;
        public double learningRate = 1e-3;
        /** Momentum for sgd with momentum (nesterovs). */
        public double momentum = 0.9;
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    public static class TrainingConfig {
        public int epochs = 10;
        public int batchSize = 16;
        /** Batches per epoch at most; 0 = the whole training split. For smoke tests. */
        public int maxBatches = 0;
        /** Batches at most when evaluating; 0 = the whole split. */
        public int maxEvalBatches = 0;
        public EarlyStoppingConfig earlyStopping = new EarlyStoppingConfig();
        /** Quantization-aware training: fake-quantized int8 weights and activations (straight-through estimator). */
        public boolean qat = false;
        /** Network data type for training and inference. */
        public Dtype dtype = Dtype.FLOAT32;
        /**
         * Data-parallel training on this machine with DL4J's ParallelWrapper: N model replicas (threads on the CPU,
         * devices under -Pcuda), each fed its own batches, parameters and updater state averaged after every step.
         * 1 = plain {@code fit}.
         */
        public int workers = 1;
    }

    /** Stop when the validation score (mean IoU or accuracy) has not improved by minDelta for patience epochs. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public static class EarlyStoppingConfig {
        /** Epochs without improvement before stopping; 0 = never stop early. */
        public int patience = 0;
        public double minDelta = 0.0;
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    public static class OutputConfig {
        public String runsDir = "runs";
        public String modelsDir = "models";
        /** Copy the final models to modelsDir with a model card. */
        public boolean promote = true;
        /** Best and worst validation samples shown as prediction mosaics (each). */
        public int mosaics = 10;
    }

    /**
     * A sweep of the distillation hyperparameters with Arbiter ({@code distill4j tune}). Each searched value is a
     * {@link Range}; give {@code value} to fix it. learningRate and epochs are fixed to the optimizer's and the
     * student's unless given.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public static class TuneConfig {
        public SweepGenerator generator = SweepGenerator.RANDOM;
        /** Candidates at most (the alpha = 1 baseline not counted). */
        public int maxCandidates = 12;
        /** Wall-clock budget for the candidates in minutes; 0 = none. The best so far is kept either way. */
        public double maxMinutes = 0;
        /** Grid search: values per searched parameter. */
        public int gridPoints = 4;
        /** Genetic search: population size, at least 4 (the first generation is random). */
        public int populationSize = 6;
        public Range alpha = Range.between(0, 1, false);
        public Range temperature = Range.between(1, 20, true);
        public Range learningRate;
        public Range epochs;
        /** Also train the student with alpha = 1 (no distillation) on the same budget, for comparison. */
        public boolean baseline = true;
    }

    /** A searched value: uniform (or log-uniform) in [min, max], or fixed to {@code value}. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public static class Range {
        public Double min;
        public Double max;
        /** Sample uniformly in log space (for scale-like values such as temperature and learning rate). */
        public boolean log;
        /** Fixes the value: not searched. */
        public Double value;

        public static Range between(double min, double max, boolean log) {
            Range r = new Range();
            r.min = min;
            r.max = max;
            r.log = log;
            return r;
        }

        public boolean fixed() {
            return value != null;
        }
    }

    /** Compression after training (the prune and quantize commands, and the distill → prune → quantize pipeline). */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public static class CompressConfig {
        public PruneMethod prune = PruneMethod.LEVEL;
        /** Level pruning: fraction of each layer's weights set to zero, in [0, 1). */
        public double sparsity = 0.8;
        /**
         * Level pruning: global (the layers without an override share one magnitude threshold, so small layers
         * keep more of their weights) or layer (each loses {@code sparsity} of its own).
         */
        public PruneScope scope = PruneScope.GLOBAL;
        /** Level pruning: per-layer overrides by layer name or type (conv, deconv, dense). */
        public java.util.Map<String, Double> layerSparsity = new java.util.LinkedHashMap<>();
        /**
         * Level pruning: reach the sparsity in this many prune + fine-tune steps (gradual pruning). 3 by default:
         * one-shot 80% left the land-cover student's small layers dead (mean IoU 0.041 through fine-tuning), three
         * steps kept 0.203 of its 0.225.
         */
        public int steps = 3;
        /** Filter pruning: fraction of each layer's filters removed, in [0, 1). */
        public double ratio = 0.5;
        /** Fine-tuning epochs after pruning (shared out over the steps); 0 = none. */
        public int epochs = 6;
        /** Fine-tune the pruned model by distillation from the unpruned one. */
        public boolean distill = false;
        /** Lottery: prune-and-rewind rounds (each removes the same share of the surviving weights). */
        public int rounds = 3;
        /** Lottery: the epoch of the dense training whose weights the survivors are reset to (0 = initialisation). */
        public int rewindEpoch = 1;
        /** Lottery: training epochs of the dense network and of each round; null = training.epochs. */
        public Integer roundEpochs;
        /** Lottery: also train the controls (random re-initialisation, one-shot and gradual at equal epochs). */
        public boolean controls = true;
        public QuantizeMode quantize = QuantizeMode.STATIC;
        /** Static quantization: batches of the training split used to calibrate activation ranges. */
        public int calibrationBatches = 4;
    }

    /**
     * N2N architecture search ({@code distill4j search}): a layer-removal then a layer-shrinkage policy, trained with
     * REINFORCE on the reward of distilled candidate students.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public static class SearchConfig {
        /** How actions are chosen: the policies (reinforce) or uniformly at random (random, for comparison). */
        public Strategy strategy = Strategy.REINFORCE;
        /** Rollouts (candidate architectures) per policy update, m. */
        public int rollouts = 5;
        /** Policy updates of the removal stage. */
        public int removalIterations = 10;
        /** Policy updates of the shrinkage stage. */
        public int shrinkageIterations = 10;
        /** Distillation epochs of each candidate. */
        public int candidateEpochs = 5;
        /** Width fractions the shrinkage policy chooses from. */
        public List<Double> widths = List.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0);
        /** The REINFORCE baseline is the mean of this many last rewards. */
        public int baselineWindow = 5;
        /** Adam learning rate of both policies. */
        public double policyLearningRate = 0.003;
        /** LSTM units of each policy. */
        public int policyUnits = 32;
        /** Constraints: a candidate above any of them gets reward -1 and is not trained. Null = none. */
        public Long maxParams;
        public Double maxMsPerImage;
        public Long maxFileBytes;
        /** Epochs of the best architecture's final distillation; null = the student's epochs. 0 = skip it. */
        public Integer finalEpochs;
        /** Start from the policies saved by an earlier search ({@code policies.zip}); null = fresh policies. */
        public String policy;
        /**
         * How candidates (and the final students) are distilled; null = N2N's loss, the squared error between the
         * student's and the teacher's un-normalised logits ({@code l2-logits}).
         */
        public List<io.distill4j.loss.DistillationTerm> terms;

        /** The terms in force. */
        public List<io.distill4j.loss.DistillationTerm> resolvedTerms() {
            return terms != null && !terms.isEmpty() ? terms : List.of(io.distill4j.loss.DistillationTerm.L2Logits.of(1));
        }

        public enum Strategy {
            @com.fasterxml.jackson.annotation.JsonProperty("reinforce") REINFORCE,
            @com.fasterxml.jackson.annotation.JsonProperty("random") RANDOM
        }
    }
}
