// Package e2e holds the end-to-end tests of the report: a simulated world is imported,
// analysed, reported and opened in headless Chromium. It is a separate package so that the
// report package itself depends only on the store and the analysis result types.
package e2e
