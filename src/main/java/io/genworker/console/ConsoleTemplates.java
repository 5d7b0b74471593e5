package io.genworker.console;

import java.util.List;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** The console's pages and fragments (templates/console/*.html), checked against these parameters at build time. */
@CheckedTemplate(basePath = "console")
final class ConsoleTemplates {

    private ConsoleTemplates() {
    }

    static native TemplateInstance login(boolean failed, boolean available);

    static native TemplateInstance overview(ConsolePage page, OverviewView overview);

    static native TemplateInstance jobs(ConsolePage page, JobsView jobs);

    /** The live table: rows plus its refresh control, swapped whole when the rate changes. */
    static native TemplateInstance live(ConsolePage page, JobsView jobs);

    /** The table's rows, or why there are none (a bad filter, the index down). */
    static native TemplateInstance rows(List<JobRow> rows, boolean operator, List<String> errors);

    /** A job's page, or (job null) why there is none to show. */
    static native TemplateInstance job(ConsolePage page, JobDetail job, String missing);

    /** The answer to an action: what happened, or why it was refused. */
    static native TemplateInstance notice(boolean ok, String message);

    /** A bulk action's dry run, with the button that applies it. */
    static native TemplateInstance bulk(BulkView bulk);
}
