import { useT } from '../utils/i18n';
import type { MessageKey } from '../../common/i18n';

/** An area of the console that later issues fill in; guarded like the rest so navigation and permissions are real now. */
export function AreaPlaceholder({ title }: { title: MessageKey }) {
  const tr = useT();
  return (
    <section aria-labelledby="area-title">
      <h1 id="area-title">{tr(title)}</h1>
      <p>{tr('area.comingSoon')}</p>
    </section>
  );
}
