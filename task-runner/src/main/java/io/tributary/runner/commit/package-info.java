/**
 * Commit: the ONE place that talks to the catalog on the data path. {@link
 * io.tributary.runner.commit.Committer} writes a sealed buffer's objects, commits them with one
 * conditional write after the chain head, settles the outcome (committed; conflict: delete our
 * objects; unknown: keep them and re-read the head), and claims partitions with a higher epoch (the
 * only retry loop). Runs on the flush executor threads (data commits) and the poll thread (claims).
 */
package io.tributary.runner.commit;
