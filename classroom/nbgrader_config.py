# nbgrader settings for every account of the classroom; `classroom.py up` installs this file into the
# shared environment (etc/jupyter/) with EXCHANGE and TEACHERS_GROUP set above this line.
import os
import stat

from nbgrader.exchange.default.submit import ExchangeSubmit

c = get_config()  # noqa: F821 -- provided by the Jupyter config loader

c.CourseDirectory.course_id = "mlops-business-ch3"
c.Exchange.root = EXCHANGE  # noqa: F821


class PrivateSubmit(ExchangeSubmit):
    """nbgrader's submit, with the hand-in readable by the teachers' group only.

    nbgrader leaves a submission readable by every account and relies on its unguessable folder name.
    Here the exchange's inbound folder hands its group (the teachers) down to every submission, and
    each submission is closed to other learners -- so no learner can read another's work, nor work out
    the name of another's feedback, which nbgrader derives from the submission's secret.
    """

    def copy_files(self):
        super().copy_files()
        dest = os.path.join(self.inbound_path, self.assignment_filename)
        for folder, _, files in os.walk(dest):
            for name in files:
                os.chmod(os.path.join(folder, name), stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP)
            # the teachers may read, and the instructor may tidy the inbound folder after collecting
            os.chmod(folder, stat.S_IRWXU | stat.S_IRWXG)


c.ExchangeFactory.submit = PrivateSubmit
