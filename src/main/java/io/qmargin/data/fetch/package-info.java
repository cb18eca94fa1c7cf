/**
 * Downloading public data sets for users with internet access: {@link
 * io.qmargin.data.fetch.LfwFetch} fetches LFW and its protocol files, through {@link
 * io.qmargin.data.fetch.Download} (a copy that computes the checksums the fetch verifies) and
 * {@link io.qmargin.data.fetch.TarGz} (extraction that refuses entries leaving the destination
 * folder). It may depend on the root package and the generic helpers (progress reporting) only.
 */
package io.qmargin.data.fetch;
