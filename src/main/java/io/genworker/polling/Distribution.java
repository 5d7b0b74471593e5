package io.genworker.polling;

/** Weights of generations by when they ended, as the schedule reads them: a histogram, or a mixture of two. */
interface Distribution {

    /** Weight of the generations that ended by t seconds. */
    double cumulativeAt(double t);

    /** Weight of all of them. */
    double total();
}
