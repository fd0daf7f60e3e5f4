/**
 * The top-level commands of the recipe engine's group (src/cli/recipe.ts), shared by the command
 * table (commands.ts), the single-file build of that group (recipe-commands-main.ts) and the
 * binary that chooses between the builds (main.ts), none of which may import recipe.ts for it.
 */
export const RECIPE_COMMANDS: readonly string[] = ['run', 'status', 'inspect', 'clean', 'gc', 'get-artifact'];
