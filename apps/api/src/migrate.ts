// `node dist/migrate.js`: the image's migrate command (docker-compose's one-shot `migrate`
// service). Applies the committed migrations to DATABASE_URL and exits.
import "@chat/db/migrate-cli";
