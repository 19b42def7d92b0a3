package io.distill4j.compress;

import io.distill4j.train.TrainedModel;
import io.distill4j.train.Trainer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lottery tickets: iterative magnitude pruning with rewinding (Frankle and Carbin 2019; rewinding to an early epoch
 * instead of the initialisation, Frankle et al. 2020). Train the dense network from its initialisation, prune the
 * smallest surviving weights, reset the survivors to their values at epoch {@code K} (0 = the initialisation), train
 * again under the mask, and repeat for {@code R} rounds; the sparsity after round {@code r} is
 * {@code 1 - (1 - s)^(r/R)}, so every round removes the same share of the survivors.
 *
 * <p>The controls the papers compare against, at equal total epochs: one-shot pruning of the dense network to
 * {@code s} then fine-tuning, gradual pruning in {@code R} steps with fine-tuning, and the ticket's own mask on a
 * random re-initialisation (the papers' control: if the ticket is no better, the initial values did not matter).
 * Every network here is a fresh one with a fresh optimizer; the source configuration is not modified.
 */
public final class LotteryTicket {

    private static final Logger log = LoggerFactory.getLogger(LotteryTicket.class);

    /**
     * @param sparsity    final fraction of weights zeroed, in (0, 1)
     * @param rounds      prune-and-rewind rounds, at least 1
     * @param rewindEpoch the epoch whose weights the survivors are reset to, in [0, epochs)
     * @param epochs      training epochs of the dense network and of each round
     * @param perLayer    per-layer (name or type) final sparsities, as {@link LevelPruner}'s
     * @param global      one magnitude threshold over the layers without an override
     */
    public record Settings(double sparsity, int rounds, int rewindEpoch, int epochs, Map<String, Double> perLayer,
                           boolean global) {
        public Settings {
            if (!(sparsity > 0 && sparsity < 1)) {
                throw new IllegalArgumentException("lottery sparsity must be in (0, 1), got " + sparsity);
            }
            if (rounds < 1) {
                throw new IllegalArgumentException("lottery rounds must be at least 1, got " + rounds);
            }
            if (epochs < 1) {
                throw new IllegalArgumentException("lottery epochs per round must be at least 1, got " + epochs);
            }
            if (rewindEpoch < 0 || rewindEpoch >= epochs) {
                throw new IllegalArgumentException("rewind epoch " + rewindEpoch + " is not recorded: the dense training"
                        + " runs " + epochs + " epochs, so rewind to an epoch in [0, " + (epochs - 1)
                        + "] (0 = the initialisation)");
            }
            perLayer = Map.copyOf(perLayer);
        }

        /** The sparsity after round {@code round} of a final target {@code target}. */
        double after(double target, int round) {
            return 1 - Math.pow(1 - target, (double) round / rounds);
        }

        LevelPruner pruner(int round) {
            Map<String, Double> scaled = new LinkedHashMap<>();
            perLayer.forEach((layer, s) -> scaled.put(layer, after(s, round)));
            return new LevelPruner(after(sparsity, round), scaled, global);
        }
    }

    /** One round: its sparsity and the best validation score of its training. */
    public record Round(int round, double sparsity, double validationScore) {
    }

    /** A trained, masked network with its masks. */
    public record Masked(ComputationGraph graph, Map<String, INDArray> masks) {
    }

    /** The dense network, the ticket after the last round, each round's record. */
    public record Ticket(ComputationGraph dense, Masked ticket, List<Round> rounds, INDArray rewindParams) {
    }

    private final Trainer trainer;
    private final Settings settings;

    public LotteryTicket(Trainer trainer, Settings settings) {
        this.trainer = trainer;
        this.settings = settings;
    }

    /** A new network of {@code conf}'s architecture, initialised from {@code seed}. */
    public static ComputationGraph initialised(ComputationGraphConfiguration conf, long seed) {
        ComputationGraphConfiguration copy = conf.clone();
        copy.getDefaultConfiguration().setSeed(seed);
        ComputationGraph graph = new ComputationGraph(copy);
        graph.init();
        return graph;
    }

    /** Keeps a copy of the parameters at the end of one epoch. */
    static final class RewindPoint extends BaseTrainingListener {
        private final int epoch;
        private int finished;
        private INDArray params;

        RewindPoint(int epoch, ComputationGraph initial) {
            this.epoch = epoch;
            if (epoch == 0) {
                params = initial.params().dup();
            }
        }

        @Override
        public void onEpochEnd(Model model) {
            finished++;
            if (finished == epoch) {
                params = model.params().dup();
            }
        }

        INDArray params() {
            return params;
        }
    }

    /** Trains the dense network from {@code initial} (not modified), then runs the rounds. */
    public Ticket find(ComputationGraph initial, String name) {
        ComputationGraph start = initial.clone();
        RewindPoint rewind = new RewindPoint(settings.rewindEpoch(), start);
        TrainedModel dense = trainer.train(name + "-dense", () -> start, null, settings.epochs(), false,
                List.of(rewind));
        if (rewind.params() == null) {
            throw new IllegalStateException("rewind epoch " + settings.rewindEpoch() + " was not recorded: the dense"
                    + " training stopped after " + dense.history().size() + " epochs (early stopping?); rewind to an"
                    + " earlier epoch or turn early stopping off");
        }
        INDArray rewound = rewind.params();
        List<Round> rounds = new ArrayList<>();
        ComputationGraph trained = dense.graph();
        Masked ticket = null;
        for (int r = 1; r <= settings.rounds(); r++) {
            ComputationGraph pruned = trained.clone();
            Map<String, INDArray> masks = settings.pruner(r).prune(pruned, 1.0);
            pruned.close();
            ComputationGraph reset = rewind(initial, rewound, masks);
            if (ticket != null) {
                ticket.graph().close();
            }
            TrainedModel round = trainer.train(name + "-round" + r, () -> reset, null, settings.epochs(), false,
                    List.of(new LevelPruner.MaskListener(masks)));
            LevelPruner.apply(round.graph(), masks);
            ticket = new Masked(round.graph(), masks);
            trained = round.graph();
            double sparsity = LevelPruner.report(round.graph()).global();
            rounds.add(new Round(r, sparsity, round.best().validationScore()));
            log.info("{} round {}/{}: sparsity {}, best validation {}", name, r, settings.rounds(),
                    String.format("%.3f", sparsity), String.format("%.4f", round.best().validationScore()));
        }
        return new Ticket(dense.graph(), ticket, rounds, rewound);
    }

    /** The papers' control: the ticket's masks on a new random initialisation, trained as the last round was. */
    public Masked randomReinit(ComputationGraph initial, Map<String, INDArray> masks, long seed, String name) {
        ComputationGraph fresh = initialised(initial.getConfiguration(), seed);
        LevelPruner.apply(fresh, masks);
        TrainedModel trained = trainer.train(name, () -> fresh, null, settings.epochs(), false,
                List.of(new LevelPruner.MaskListener(masks)));
        LevelPruner.apply(trained.graph(), masks);
        return new Masked(trained.graph(), masks);
    }

    /** One-shot pruning of the dense network to the final sparsity, fine-tuned {@code rounds × epochs} epochs. */
    public Masked oneShot(ComputationGraph dense, String name) {
        ComputationGraph start = dense.clone();
        Map<String, INDArray> masks = settings.pruner(settings.rounds()).prune(start, 1.0);
        ComputationGraph fresh = withFreshOptimizer(start);
        TrainedModel tuned = trainer.train(name, () -> fresh, null, settings.rounds() * settings.epochs(), false,
                List.of(new LevelPruner.MaskListener(masks)));
        LevelPruner.apply(tuned.graph(), masks);
        return new Masked(tuned.graph(), masks);
    }

    /**
     * Gradual pruning of the dense network (Zhu and Gupta's cubic schedule) in {@code rounds} steps, each fine-tuned
     * {@code epochs} epochs: the same total epochs as the ticket.
     */
    public Masked gradual(ComputationGraph dense, String name) {
        LevelPruner pruner = settings.pruner(settings.rounds());
        ComputationGraph graph = withFreshOptimizer(dense.clone());
        Map<String, INDArray> masks = null;
        for (int step = 1; step <= settings.rounds(); step++) {
            masks = pruner.prune(graph, LevelPruner.schedule(step, settings.rounds()));
            ComputationGraph start = graph;
            TrainedModel tuned = trainer.train(name + "-step" + step, () -> start, null, settings.epochs(), false,
                    List.of(new LevelPruner.MaskListener(masks)));
            graph = tuned.graph();
            LevelPruner.apply(graph, masks);
        }
        return new Masked(graph, masks);
    }

    /**
     * A new network of {@code architecture}'s configuration (fresh optimizer) holding {@code params} (every parameter:
     * weights, biases, batch-norm statistics) with the pruned weights zeroed.
     */
    static ComputationGraph rewind(ComputationGraph architecture, INDArray params, Map<String, INDArray> masks) {
        ComputationGraph reset = Layers.withParams(architecture.getConfiguration().clone(), params);
        LevelPruner.apply(reset, masks);
        return reset;
    }

    private static ComputationGraph withFreshOptimizer(ComputationGraph graph) {
        return Layers.withConfiguration(graph, graph.getConfiguration().clone());
    }
}
