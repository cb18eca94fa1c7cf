package io.qmargin.serve.store;

import io.qmargin.UserInputException;

/**
 * Opens {@link TemplateStore}s: migrates the database (see {@link StoreDatabase}), checks that it
 * holds templates of the given model (a new database records it), and loads every template into
 * memory for 1:N search.
 */
public final class TemplateStores {
  private TemplateStores() {}

  /**
   * Opens the store at a JDBC URL or an H2 file path, for the model {@code modelId} whose
   * embeddings have {@code dimension} components.
   *
   * @throws UserInputException if the database cannot be opened or holds another model's templates
   */
  public static TemplateStore open(String jdbcUrlOrPath, String modelId, int dimension) {
    return open(StoreDatabase.Settings.of(jdbcUrlOrPath), modelId, dimension);
  }

  /** As {@link #open(String, String, int)}, with credentials and a pool size. */
  public static TemplateStore open(StoreDatabase.Settings settings, String modelId, int dimension) {
    if (modelId == null || modelId.isBlank() || modelId.length() > 200) {
      throw new IllegalArgumentException("a model id must have 1 to 200 characters");
    }
    if (dimension <= 0) {
      throw new IllegalArgumentException("dimension must be positive, got " + dimension);
    }
    StoreDatabase db = StoreDatabase.open(settings);
    try {
      StoreDatabase.StoredModel stored = db.recordModel(modelId, dimension);
      if (!stored.modelId().equals(modelId) || stored.dimension() != dimension) {
        throw new UserInputException(
            "database "
                + db.description()
                + " holds templates of model "
                + stored.modelId()
                + " ("
                + stored.dimension()
                + "-dimensional embeddings), not of model "
                + modelId
                + " ("
                + dimension
                + "-dimensional): templates of two models cannot be compared; serve this model"
                + " with a database of its own");
      }
      return JdbcTemplateStore.load(db, modelId, dimension);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }
}
