package dev.streamtemplate.generator;

import java.util.Arrays;

/**
 * Zipf's law over ranks {@code 0..n-1}: rank {@code k} is drawn with probability proportional to
 * {@code 1 / (k + 1)^exponent}. Sampling inverts the cumulative distribution with one uniform draw.
 */
final class ZipfDistribution {

    private final double[] cumulative;

    ZipfDistribution(int n, double exponent) {
        cumulative = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += 1.0 / StrictMath.pow(k + 1, exponent);
            cumulative[k] = sum;
        }
        for (int k = 0; k < n; k++) {
            cumulative[k] /= sum;
        }
        cumulative[n - 1] = 1.0;
    }

    /** A rank in {@code [0, n)}, rank 0 the most likely. */
    int sample(SeededRandom rng) {
        double u = rng.nextDouble();
        int i = Arrays.binarySearch(cumulative, u);
        return i >= 0 ? Math.min(i + 1, cumulative.length - 1) : -i - 1;
    }
}
