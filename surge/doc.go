// Package surge detects a surge of events — bounces, or mail sent — in
// hourly counts, against the normal rate learnt from the counts' own
// history, and compares the sent volume with the bounces over the surge
// (a hijacked account sends while it bounces; a forged sender only
// bounces). It is pure: series in, findings out, no I/O.
//
// # Series
//
// Bucket and Counter count events per hour of a location's clock, so that
// the hour of day and the weekday are the user's (Asia/Tokyo for a shop in
// Japan). Hours are uniform in absolute time: a daylight-saving day has 23
// or 25 of them, and a zone offset by half an hour starts its hours at :30.
// Counter.Core finds the hours that hold the bulk of the events, so that a
// stray date (a forged 2037, a clock reset to 1970) does not stretch the
// series over years; with PerMinute it also counts per minute, for
// Pinpoint.
//
// # Method
//
// Baseline. The expected count λ of every hour comes from the hours not in
// a surge, at the richest level the history supports: a Poisson log-linear
// model with hour-of-day and weekday main effects, λ = H(hour)·W(weekday),
// fitted by iterative proportional fitting (its maximum-likelihood
// estimate; Bishop, Fienberg & Holland 1975, ch. 3) when every hour of the
// day has 3 clean hours and every weekday 20; hour of day alone with less;
// one overall rate with less still. Each hour-of-day rate is shrunk toward
// the overall rate by one pseudo-hour (a gamma prior), λ is at least
// 0.1/h, and the uncertainty of the estimate widens the prediction (the
// gamma–Poisson predictive is negative binomial). Robustness comes from
// exclusion, as in the outbreak-detection algorithms of public-health
// surveillance (Farrington et al. 1996; Noufaily et al. 2013): a first
// pass uses the median of the hours at the same hour of day, then every
// surge found (and three hours either side) is left out of the next fit,
// until the surges stop changing (at most five passes). The history must
// hold Options.MinHistoryHours clean hours (default 72), or the absolute
// method applies.
//
// Dispersion. Counts of real mail vary more than Poisson. The
// negative-binomial size r (Var = λ + λ²/r) is found by the method of
// moments on Pearson residuals winsorized at 4 (clean hours) and at 3 (all
// hours, so that noise mistaken for a surge in one pass does not shrink
// the next pass's noise); the smaller r wins; Poisson when the statistic is
// within 5% of its Poisson value.
//
// Tail and score. P(X ≥ k | λ) is the regularized incomplete gamma
// (Poisson) or beta (negative binomial), by series and Lentz continued
// fractions in log space (Numerical Recipes §6.2, §6.4), so that a flood's
// p-value of 1e-2000 is still ordered; beyond 2000 the Poisson tail uses
// the Wilson–Hilferty cube root (1931). Each hour's count becomes the
// normal score z of its mid-p upper tail P(X > k) + ½P(X = k) (Lancaster
// 1961), close to N(0, 1) under the model even for λ = 0.3, where
// (k − λ)/√λ is badly skewed; the inverse normal is Acklam's, with a
// Halley step, taking log p.
//
// Onset. A one-sided CUSUM (Page 1954) runs on the scores:
// S_t = max(0, S_{t−1} + z_t − k), alarm when S_t ≥ h, with k = 1 and
// h = 5 (both divided by Options.Sensitivity). By Siegmund's approximation
// the average run length between false alarms on N(0, 1) scores is about
// 10⁵ hours; a single hour of z ≥ 6 (p ≈ 1e-9), or three hours of z ≥ 2.7,
// raise the alarm. The surge runs on while hours score above k and ends
// after three that do not. Its onset and end are then re-estimated as the
// likelihood-ratio change points for the shift δ̂ the surge turned out to
// have (reference value max(k, δ̂/2)), which keeps noisy hours before or
// after a large surge out of it (Montgomery, Introduction to Statistical
// Quality Control, §9.1). A surge's peak hour must also hold at least
// Options.AbsoluteFloor events (default 10/h): three bounces in an hour
// against a few a day is improbable, not a flood. The peak is the hour
// with the most events; Excess is Σ(count − λ) over the surge.
//
// Change point to the minute. Pinpoint places the step inside the first
// surge hour from counts per minute (Counter.PerMinute): the minute that
// maximizes the Poisson log-likelihood ratio of the baseline rate before
// and the flood's rate after, searched from an hour before the onset hour
// to two hours after it (Hinkley 1971). On floods of 60 to 700 an hour
// that start at :00, :07, :40 and :59 it lands in the minute of the
// flood's first event (TestPinpoint).
//
// Bounces come back minutes to tens of minutes after the mail that caused
// them, so a slow ramp's first bounces trail its first messages. Lead
// refines the bounces' change point with a series that leads them (the
// account's sent mail per minute): the step is searched in the hour
// before the bounces' onset, only when the sent rate jumped. On ramps of
// 20, 60, 150, 300 an hour whose bounces lag 10 to 40 minutes, the onset
// from the bounces alone was never within 5 minutes of the first spam;
// from the sent mail it is in 16–20 of 20 draws (TestLead).
//
// The hour in progress. With Options.Now, the hour that contains it is
// scored against the elapsed share of its expected count and kept out of
// the baseline, and later hours are not scored: 60 events in the first ten
// minutes against 100 an hour is a surge at 10 past, not at the hour's end.
//
// Absolute method. With too little history, an hour with at least
// Options.AbsoluteThreshold events (default 50/h) is a surge, extended over
// the adjacent hours with at least AbsoluteFloor; there is no p-value (−1).
//
// Compare. The sent series is tested over the bounce surge's window (from
// two hours before its onset, as mail leaves before its bounces return):
// its baseline is learnt outside the window, the window's total is tested
// against Poisson(Σλ) (or a negative binomial matched to the summed
// variance), and a jump needs p < 10^(−3/Sensitivity) and a ratio of at
// least 1 + 0.5/Sensitivity.
//
// Speed: a year of hourly counts (8,760) takes about 4 ms (BenchmarkDetectYear).
//
// References:
//   - E. S. Page, Continuous inspection schemes, Biometrika 41 (1954) 100–115.
//   - D. V. Hinkley, Inference about the change-point from cumulative sum tests, Biometrika 58 (1971) 509–523.
//   - J. M. Lucas, Counted data CUSUM's, Technometrics 27 (1985) 129–144 (the Poisson-likelihood alternative to scoring).
//   - Y. M. M. Bishop, S. E. Fienberg, P. W. Holland, Discrete Multivariate Analysis, MIT Press 1975 (iterative proportional fitting).
//   - D. Siegmund, Sequential Analysis, Springer 1985 (the ARL approximation).
//   - C. P. Farrington et al., A statistical algorithm for the early detection of outbreaks of infectious disease, JRSS A 159 (1996) 547–563.
//   - A. Noufaily et al., An improved algorithm for outbreak detection in multiple surveillance systems, Statistics in Medicine 32 (2013) 1206–1222.
//   - H. O. Lancaster, Significance tests in discrete distributions, JASA 56 (1961) 223–234.
//   - E. B. Wilson, M. M. Hilferty, The distribution of chi-square, PNAS 17 (1931) 684–688.
//   - W. H. Press et al., Numerical Recipes, 3rd ed., §6.2 and §6.4.
//   - P. J. Acklam, An algorithm for computing the inverse normal cumulative distribution function (2003).
package surge
