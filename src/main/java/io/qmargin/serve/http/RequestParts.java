package io.qmargin.serve.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.http.Context;
import io.qmargin.UserText;
import java.io.IOException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Reading a request's parts: each problem is an {@link ApiException} naming the part at fault. */
final class RequestParts {
  private RequestParts() {}

  /** Subject ids: letters, digits and {@code . _ @ + -}, at most 128 characters. */
  static final Pattern SUBJECT_ID = Pattern.compile("[\\p{L}\\p{N}._@+-]{1,128}");

  static void requireMultipart(Context ctx) {
    if (!ctx.isMultipartFormData()) {
      throw new ApiException(
          415,
          "expected a multipart/form-data upload, got content type '"
              + (ctx.contentType() == null ? "none" : ctx.contentType())
              + "'");
    }
  }

  static String subjectId(String id, String where) {
    if (id == null || id.isEmpty()) {
      throw new ApiException(400, "missing subject id (" + where + ")");
    }
    if (!SUBJECT_ID.matcher(id).matches()) {
      throw new ApiException(
          400,
          "invalid subject id in "
              + where
              + ": use 1 to 128 letters, digits and . _ @ + - (got "
              + UserText.quoted(id)
              + ")");
    }
    return id;
  }

  static int intParam(Context ctx, String name, int ifAbsent, int min, int max) {
    return intParam(ctx.queryParam(name), name, ifAbsent, min, max);
  }

  static int intParam(String value, String name, int ifAbsent, int min, int max) {
    if (value == null || value.isEmpty()) {
      return ifAbsent;
    }
    try {
      int v = Integer.parseInt(value.trim());
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ApiException(
        400,
        "'"
            + name
            + "' must be an integer in ["
            + min
            + ", "
            + max
            + "], got "
            + UserText.quoted(value));
  }

  static <T> T jsonBody(Context ctx, Class<T> type) {
    String ct = ctx.contentType();
    if (ct == null || !ct.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw new ApiException(
          415,
          "expected a JSON body (Content-Type: application/json), got '"
              + (ct == null ? "none" : ct)
              + "'");
    }
    try {
      T v = Responses.JSON.readValue(ctx.bodyAsBytes(), type);
      if (v == null) {
        throw new ApiException(400, "malformed JSON: expected an object, got null");
      }
      return v;
    } catch (JsonProcessingException e) {
      throw new ApiException(400, "malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ApiException(400, "cannot read the body (" + e.getMessage() + ")");
    }
  }
}
