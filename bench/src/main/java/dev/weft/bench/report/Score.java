package dev.weft.bench.report;

/**
 * A JMH score with its error: the mean over all measured iterations of all forks, and the
 * half-width of JMH's 99.9 % confidence interval around it.
 *
 * <p>Thread-safety: immutable.
 *
 * @param value the score, in the benchmark's unit
 * @param error the half-width of the confidence interval, or NaN when JMH could not compute one
 *              (a single measured iteration)
 */
public record Score(double value, double error) {

    /**
     * The ratio of this score to another, with an error propagated to first order: the relative
     * errors add in quadrature, {@code err(a/b) = a/b * sqrt((ea/a)^2 + (eb/b)^2)}. That treats
     * the two runs as independent, which they are (separate forks).
     *
     * @param denominator the score to divide by; its value must not be zero
     * @return {@code this / denominator} with its propagated error (NaN when either error is)
     * @throws IllegalArgumentException if the denominator's value is zero
     */
    public Score dividedBy(Score denominator) {
        if (denominator.value == 0) {
            throw new IllegalArgumentException("cannot divide by a zero score: the benchmark measured nothing");
        }
        double ratio = value / denominator.value;
        double relativeThis = value == 0 ? 0 : error / value;
        double relativeOther = denominator.error / denominator.value;
        return new Score(ratio, Math.abs(ratio) * Math.hypot(relativeThis, relativeOther));
    }

    /**
     * Whether the two confidence intervals overlap, that is whether the order of the two scores is
     * not established by this run. Unknown errors count as overlapping.
     *
     * @param other the other score
     * @return true when |a - b| is at most the sum of the two errors, or either error is NaN
     */
    public boolean overlaps(Score other) {
        if (Double.isNaN(error) || Double.isNaN(other.error)) {
            return true;
        }
        return Math.abs(value - other.value) <= error + other.error;
    }

    /** @return the lower end of the confidence interval (the value itself when the error is NaN) */
    public double low() {
        return Double.isNaN(error) ? value : value - error;
    }

    /** @return the upper end of the confidence interval (the value itself when the error is NaN) */
    public double high() {
        return Double.isNaN(error) ? value : value + error;
    }
}
