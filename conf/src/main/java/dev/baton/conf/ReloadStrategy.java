package dev.baton.conf;

/** How {@code baton reload} moves a program's workers to the next generation (key {@code reload_strategy}). */
public enum ReloadStrategy {
    /** Start every new worker at once; switch and retire the old ones once all new ones are ready. TOML "surge". */
    SURGE,
    /** Start {@code max_surge} new workers at a time; each batch replaces as many old ones. TOML "rolling". */
    ROLLING,
    /** Stop the old workers first, then start the new ones: a gap in service. TOML "restart". */
    RESTART,
    /**
     * Start one new worker and give it {@code canary_weight} percent of the requests for {@code canary_duration},
     * compared with the old workers; roll back if it does worse, else go on as {@link #SURGE}. TOML "canary".
     */
    CANARY
}
