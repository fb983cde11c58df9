// Replaced by the compile task with the commit and build time it builds from.
export const BUILD_STAMP: { version: string; commit: string | null; builtAt: string | null } = {
  version: "dev",
  commit: null,
  builtAt: null,
};
